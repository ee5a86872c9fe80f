"""Next-best actions: for a high-intent customer, the product they showed the strongest
cross-channel interest in, offered on a channel they consented to.

Consent is opt-in (CONTRACT §1): nobody without `consent_personalization` gets an action, and
an action only goes out on a channel whose consent is granted; an unknown consent is no.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from xsignals_dagster.contract.vocabularies import (
    CHANNEL_CONSENT_COLUMNS,
    CONTACT_CHANNELS,
    PERSONALIZATION_CONSENT,
)
from xsignals_dagster.intent.features import CUSTOMER_ID, with_customer_column

ACTION_COLUMNS = [CUSTOMER_ID, "product_id", "category", "channel", "reason"]
CHANNEL_WORDS = {"email": "by email", "push": "in the app (push)", "sms": "by SMS"}
# How a touchpoint of the product's journey reads in a reason.
TOUCHPOINT_WORDS = {
    "web": "viewed online",
    "app": "viewed in the app",
    "store": "tried on in store",
    "email": "clicked in an email",
}


def _granted(values: pd.Series) -> pd.Series:
    """True only where consent is known to be granted."""
    return values.astype("boolean").fillna(False).astype(bool)


def _blank_to_na(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.where(text != "", pd.NA)


def contact_channel(consent: pd.DataFrame, channel_order: tuple[str, ...] = CONTACT_CHANNELS) -> pd.Series:
    """Per customer: the preferred channel if consented, else the first consented one in
    `channel_order`, else missing."""
    preferred = consent["preferred_channel"].astype("string").str.strip().str.lower()
    granted = {channel: _granted(consent[CHANNEL_CONSENT_COLUMNS[channel]]) for channel in channel_order}
    conditions = [(preferred == c).fillna(False) & granted[c] for c in channel_order] + [
        granted[c] for c in channel_order
    ]
    chosen = np.select(conditions, list(channel_order) * 2, default=None)
    return pd.Series(chosen, index=consent.index, dtype=object)


def _journey_words(touchpoints) -> str:
    """ "web;store" (or a list) -> "viewed online and tried on in store"; unknown parts are skipped."""
    if isinstance(touchpoints, str):
        touchpoints = re.split(r"[^a-z_]+", touchpoints.lower())
    elif not isinstance(touchpoints, list | tuple | np.ndarray | set):
        return ""
    words = list(dict.fromkeys(TOUCHPOINT_WORDS[t] for t in touchpoints if t in TOUCHPOINT_WORDS))
    return " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 2 else words)


def _reason(product, category, touchpoints, channel: str) -> str:
    delivery = CHANNEL_WORDS[channel]
    if pd.isna(product):
        return f"strongest interest in {category}; offer on {category} {delivery}"
    journey = _journey_words(touchpoints) or "the product they showed most interest in"
    return f"{journey}; offer on exactly this product {delivery}"


def next_best_actions(
    scores: pd.DataFrame,
    profile: pd.DataFrame,
    consent: pd.DataFrame,
    buckets: tuple[str, ...] = ("high",),
    product_column: str = "journey_top_product",
    product_channels_column: str = "journey_top_product_channels",
    category_column: str = "behavioral_top_category_90d",
    channel_order: tuple[str, ...] = CONTACT_CHANNELS,
) -> pd.DataFrame:
    """One offer per customer in the intent `buckets` (high by default) who consented to
    personalisation and to some contact channel, and has a product or category of interest.

    `scores`: `customer_id, bucket` (as `score_customers` gives them). `profile` (indexed by or
    holding `customer_id`): the product of strongest cross-channel intent, the touchpoints it
    was seen on ("web;store" or a list) and the customer's top category (an offer on the
    category when there is no product).
    `consent` (indexed by or holding `customer_id`, as `privacy.consent.consent_state`
    gives it): `consent_email, consent_push, consent_sms, consent_personalization,
    preferred_channel`.
    Columns: `customer_id, product_id, category, channel, reason`.
    """
    profile, consent = with_customer_column(profile), with_customer_column(consent)
    consent = consent[_granted(consent[PERSONALIZATION_CONSENT])]
    reachable = pd.DataFrame(
        {CUSTOMER_ID: consent[CUSTOMER_ID], "channel": contact_channel(consent, channel_order)}
    ).dropna()
    interest = pd.DataFrame(
        {
            CUSTOMER_ID: profile[CUSTOMER_ID],
            "product_id": _blank_to_na(profile[product_column]),
            "category": _blank_to_na(profile[category_column]),
            "touchpoints": profile[product_channels_column] if product_channels_column in profile else None,
        }
    ).dropna(subset=["product_id", "category"], how="all")
    high = scores.loc[scores["bucket"].isin(buckets), [CUSTOMER_ID]]
    actions = high.merge(reachable, on=CUSTOMER_ID).merge(interest, on=CUSTOMER_ID)
    actions["reason"] = [
        _reason(p, c, t, ch)
        for p, c, t, ch in zip(
            actions["product_id"],
            actions["category"],
            actions["touchpoints"],
            actions["channel"],
            strict=True,
        )
    ]
    return actions[ACTION_COLUMNS].reset_index(drop=True)


def offer_hits(actions: pd.DataFrame, holdout_purchases: pd.DataFrame) -> np.ndarray:
    """Per offer, whether the customer took it up in the holdout: bought the offered product,
    or (for an offer on a category only) anything in the category."""

    def bought(column: str) -> np.ndarray:
        offered = pd.MultiIndex.from_frame(actions[[CUSTOMER_ID, column]].astype(object))
        purchased = pd.MultiIndex.from_frame(holdout_purchases[[CUSTOMER_ID, column]].dropna().astype(object))
        return offered.isin(purchased)

    on_product = actions["product_id"].notna().to_numpy()
    return np.where(on_product, bought("product_id"), bought("category"))


def most_popular_offers(actions: pd.DataFrame, purchases: pd.DataFrame) -> pd.DataFrame:
    """The same customers and channels offered the best-selling product of `purchases` (the
    history before the holdout): the baseline whose take-up (`offer_hits`) ours should beat."""
    sold = purchases.dropna(subset=["product_id"])
    if sold.empty:
        raise ValueError("no purchased product to call most popular")
    product = sold["product_id"].value_counts().index[0]
    categories = sold.loc[sold["product_id"] == product, "category"].dropna().mode()
    return actions.assign(
        product_id=product,
        category=categories.iloc[0] if len(categories) else None,
        reason="best-selling product",
    )
