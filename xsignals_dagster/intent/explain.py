"""Why a customer scores as they do, in words a marketer reads.

Occlusion: a feature's effect on one customer is their score minus the score they would get
if that feature took its typical value (training median, or most common category), everything
else kept. Positive effects raise the score (+), negative ones lower it (−). It is computed
for a short list of globally important features, all customers at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

# Effects smaller than this (in probability) do not explain anything.
MIN_EFFECT = 0.002
# Rows per prediction batch of the occlusion, to bound memory.
OCCLUSION_BATCH_ROWS = 200_000
NOTHING_STANDS_OUT = "no single signal stands out from a typical customer"
SIGNAL_PREFIXES = ("behavioral_", "transactional_", "engagement_", "contextual_", "preference_", "journey_")


@dataclass(frozen=True)
class Phrase:
    """How to say a feature's value. `text` takes {value}, {s} (a plural "s" unless the value
    is 1) and {window} ("in the last 30 days", from a `_30d` in the name); `when_missing` /
    `when_zero` (also: False) replace it for an unknown or zero value; `style` formats the
    value: "number", "days" (whole) or "percent"."""

    pattern: str
    text: str
    when_missing: str | None = None
    when_zero: str | None = None
    style: str = "number"


# First match wins: specific phrases before the general ones they overlap.
PHRASES = (
    Phrase(r"days_since_last_purchase", "last purchase {value} day{s} ago", "never purchased", style="days"),
    Phrase(
        r"days_since_last_web", "last on the website {value} day{s} ago", "never on the website", style="days"
    ),
    Phrase(r"days_since_last_app", "last in the app {value} day{s} ago", "never in the app", style="days"),
    Phrase(r"days_since_last_store", "last in a store {value} day{s} ago", "never in a store", style="days"),
    Phrase(
        r"days_between_orders", "buys every {value} day{s} on average", "fewer than two orders", style="days"
    ),
    Phrase(
        r"days_research_to_store", "came to a store {value} day{s} after researching online", style="days"
    ),
    Phrase(
        r"researched_online_then_store",
        "researched online, then came to a store",
        when_zero="no store visit after researching online",
    ),
    Phrase(
        r"viewed_then_tried",
        "tried on in store {value} product{s} first viewed online",
        when_zero="no product tried on after viewing it online",
    ),
    Phrase(
        r"cross_channel_purchases",
        "bought {value} product{s} first seen on another channel",
        when_zero="no cross-channel purchase",
    ),
    Phrase(
        r"multichannel_products",
        "{value} product{s} seen on several channels",
        when_zero="no product seen on two channels",
    ),
    Phrase(r"try_on", "tried on {value} product{s} in store{window}", when_zero="no try-on in store{window}"),
    Phrase(
        r"web_product_views",
        "viewed {value} product{s} online{window}",
        when_zero="no product viewed online{window}",
    ),
    Phrase(
        r"app_product_views",
        "viewed {value} product{s} in the app{window}",
        when_zero="no product viewed in the app{window}",
    ),
    Phrase(
        r"add_to_cart", "added {value} item{s} to a cart{window}", when_zero="nothing added to a cart{window}"
    ),
    Phrase(
        r"wishlist", "added {value} item{s} to a wishlist{window}", when_zero="nothing wishlisted{window}"
    ),
    Phrase(
        r"email_open_rate", "opened {value} of emails{window}", "no email delivered{window}", style="percent"
    ),
    Phrase(
        r"email_click_rate",
        "clicked {value} of emails{window}",
        "no email delivered{window}",
        style="percent",
    ),
    Phrase(
        r"push_open_rate",
        "opened {value} of push messages{window}",
        "no push message received{window}",
        style="percent",
    ),
    Phrase(r"email_clicks", "clicked {value} email{s}{window}", when_zero="no email clicked{window}"),
    Phrase(r"email_opens", "opened {value} email{s}{window}", when_zero="no email opened{window}"),
    Phrase(
        r"push_opens", "opened {value} push message{s}{window}", when_zero="no push message opened{window}"
    ),
    Phrase(
        r"service_contacts",
        "contacted customer service {value} time{s}{window}",
        when_zero="no service contact{window}",
    ),
    Phrase(r"purchase_days$", "bought on {value} day{s}", when_zero="no purchase"),
    Phrase(r"_aov_", "average order {value}{window}", "no order{window}"),
    Phrase(
        r"(^|_)(orders|purchases)(_\d+d|_all)?$",
        "{value} purchase{s}{window}",
        when_zero="no purchase{window}",
    ),
    Phrase(r"revenue", "spent {value}{window}", when_zero="spent nothing{window}"),
    Phrase(r"channel_count", "active on {value} channel{s}{window}", when_zero="no activity{window}"),
)
_WINDOW = re.compile(r"_(\d+)d(?=_|$)")
_PERCENT_NAME = re.compile(r"_(share|rate)$")


def _window(column: str) -> str:
    match = _WINDOW.search(column)
    return f" in the last {match.group(1)} days" if match else ""


def _bare_name(column: str) -> str:
    """The column name without its signal type prefix and window suffix."""
    name = column
    for prefix in SIGNAL_PREFIXES:
        name = name.removeprefix(prefix)
    return _WINDOW.sub("", name).removesuffix("_all")


def _formatted(value, style: str) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if not isinstance(value, int | float | np.integer | np.floating):
        return str(value)
    if style == "percent":
        return f"{100 * value:.0f}%"
    if style == "days" or float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.2f}"


@lru_cache(maxsize=1024)
def _phrase_for(column: str) -> Phrase | None:
    return next((p for p in PHRASES if re.search(p.pattern, column, re.IGNORECASE)), None)


def describe(column: str, value) -> str:
    """A feature's value in words: a known phrase, else the bare column name and the value
    (a `_share` or `_rate` as a percentage)."""
    missing = value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))
    phrase = _phrase_for(column)
    if phrase is None or (missing and phrase.when_missing is None):
        name = _bare_name(column)
        style = "percent" if _PERCENT_NAME.search(name) else "number"
        shown = "unknown" if missing else _formatted(value, style)
        return f"{name.replace('_', ' ')}{_window(column)}: {shown}"
    if missing:
        return phrase.when_missing.format(window=_window(column))
    text = phrase.when_zero if phrase.when_zero and value == 0 else phrase.text
    shown = _formatted(value, phrase.style)
    return text.format(value=shown, s="" if shown == "1" else "s", window=_window(column))


def typical_values(encoded: pd.DataFrame, categorical_columns: list[str]) -> dict[str, float]:
    """Each encoded feature's typical value: the median of a number, the most common category
    code (NaN when a column is always unknown)."""
    typical = {}
    for column in encoded.columns:
        if column in categorical_columns:
            modes = encoded[column].mode()
            typical[column] = float(modes.iloc[0]) if len(modes) else np.nan
        else:
            typical[column] = float(encoded[column].median())
    return typical


def occlusion_effects(
    predict: Callable[[pd.DataFrame], np.ndarray],
    encoded: pd.DataFrame,
    scores: np.ndarray,
    columns: list[str],
    reference: dict[str, float],
) -> pd.DataFrame:
    """Per customer (rows of the `encoded` model input, scored `scores`) and column: the score
    minus the score with that column set to its reference value. Only the rows whose value
    differs from the reference go through `predict` again (for the others the effect is 0 by
    definition), in batches of up to OCCLUSION_BATCH_ROWS."""
    values = encoded.to_numpy(dtype=float)
    effects = np.zeros((len(encoded), len(columns)))
    for k, column in enumerate(columns):
        position, typical = encoded.columns.get_loc(column), reference[column]
        current = values[:, position]
        changed = np.flatnonzero(~((current == typical) | (np.isnan(current) & np.isnan(typical))))
        for start in range(0, len(changed), OCCLUSION_BATCH_ROWS):
            rows = changed[start : start + OCCLUSION_BATCH_ROWS]
            occluded = values[rows]
            occluded[:, position] = typical
            effects[rows, k] = scores[rows] - predict(pd.DataFrame(occluded, columns=encoded.columns))
    return pd.DataFrame(effects, index=encoded.index, columns=columns)


def most_influential(effects: pd.DataFrame, count: int) -> list[str]:
    """The `count` columns with the largest mean absolute effect."""
    return effects.abs().mean().sort_values(ascending=False).index[:count].tolist()


def top_factors(effects: pd.DataFrame, features: pd.DataFrame, count: int) -> pd.Series:
    """Per customer, the `count` strongest effects in words with their direction, joined by
    "; " (strongest first)."""
    values = effects.to_numpy()
    order = np.argsort(-np.abs(values), axis=1)[:, :count]
    columns = effects.columns
    raw = [features[c].to_numpy(dtype=object) for c in columns]
    factors = []
    for row, picks in enumerate(order):
        words = [
            f"{describe(columns[k], raw[k][row])} ({'+' if values[row, k] > 0 else '−'})"
            for k in picks
            if abs(values[row, k]) >= MIN_EFFECT
        ]
        factors.append("; ".join(words) or NOTHING_STANDS_OUT)
    return pd.Series(factors, index=effects.index)
