"""Per-customer aggregations the signal modules share.

The helpers that aggregate take rows with a `customer` code and a `ts`, and return values
indexed by the `customers` they are given (one row each): counts and sums are 0 for a
customer without rows, everything else NA.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

DAY = pd.Timedelta(days=1)


def window_suffix(days: int | None) -> str:
    """`_7d` for a trailing window of 7 days, `_all` for all history up to as_of."""
    return "_all" if days is None else f"_{days}d"


def within(rows: pd.DataFrame, as_of: pd.Timestamp, days: int | None) -> pd.DataFrame:
    """The rows of the trailing window of `days` days ending at as_of (`ts > as_of - days`)."""
    return rows if days is None else rows[(rows["ts"] > as_of - days * DAY).to_numpy()]


def additive_over_windows(
    rows: pd.DataFrame,
    as_of: pd.Timestamp,
    windows: Iterable[int | None],
    customers: pd.Index,
    summarise: Callable[[pd.DataFrame], pd.DataFrame],
) -> pd.DataFrame:
    """`summarise` (counts or sums per customer) over each trailing window, its columns
    suffixed by the window; 0 for a customer without rows in a window."""
    parts = [
        summarise(within(rows, as_of, days)).reindex(customers, fill_value=0).add_suffix(window_suffix(days))
        for days in windows
    ]
    return pd.concat(parts, axis=1)


def label_events(events: pd.DataFrame, labels: dict[tuple[str, str], str]) -> pd.DataFrame:
    """`customer`, `ts` and `label` (categorical) of the events whose (channel, event_type)
    has a label; the others are dropped. Done on category codes: no string work per row."""
    names = list(dict.fromkeys(labels.values()))
    channels, event_types = events["channel"].cat, events["event_type"].cat
    lookup = np.full((len(channels.categories), len(event_types.categories)), -1, dtype=np.int16)
    for (channel, event_type), label in labels.items():
        lookup[channels.categories.get_loc(channel), event_types.categories.get_loc(event_type)] = (
            names.index(label)
        )
    codes = lookup[channels.codes.to_numpy(), event_types.codes.to_numpy()]
    keep = codes >= 0
    labelled = events.loc[keep, ["customer", "ts"]].reset_index(drop=True)
    labelled["label"] = pd.Categorical.from_codes(codes[keep], names)
    return labelled


def count_labels(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows per customer and `label` (a categorical): one int column per category."""
    counts = rows.groupby(["customer", "label"], observed=True).size()
    return counts.unstack(fill_value=0).reindex(columns=rows["label"].cat.categories, fill_value=0)


def shares(rows: pd.DataFrame, column: str, values: Iterable[str], customers: pd.Index) -> pd.DataFrame:
    """Per customer the share of their rows with each of `values` in `column`, among rows
    with a value (NA without any)."""
    values = list(values)
    counted = rows[rows[column].isin(values).to_numpy()]
    counts = counted.groupby(["customer", column], observed=True).size().unstack(fill_value=0)
    counts = counts.reindex(columns=values, fill_value=0)
    return counts.div(counts.sum(axis=1), axis=0).reindex(customers)


def most_frequent(rows: pd.DataFrame, column: str, customers: pd.Index) -> pd.Series:
    """Per customer the most frequent non-empty value of `column` (as str); a tie goes to the
    value seen last, then to the smaller value."""
    known = rows[rows[column].notna().to_numpy()]
    counted = known.groupby(["customer", column], observed=True)["ts"].agg(["size", "max"]).reset_index()
    return best_per_customer(counted, ["size", "max"])[column].astype(object).reindex(customers)


def best_per_customer(table: pd.DataFrame, criteria: list[str]) -> pd.DataFrame:
    """Per customer the row with the largest value of the first criterion, ties going to the
    next criterion, then to the first row (a groupby result: the smaller key); indexed by customer."""
    for criterion in criteria:
        table = table[(table[criterion] == table.groupby("customer")[criterion].transform("max")).to_numpy()]
    return table.drop_duplicates("customer").set_index("customer")


def distinct_count(rows: pd.DataFrame, columns: list[str], customers: pd.Index) -> pd.Series:
    """Per customer the number of distinct non-empty values (tuples) of `columns`."""
    known = rows[rows[columns].notna().all(axis=1).to_numpy()]
    distinct = known.drop_duplicates(["customer", *columns])
    return distinct.groupby("customer").size().reindex(customers, fill_value=0)


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator as float, NA where the denominator is 0 or NA."""
    return numerator.astype("float64") / denominator.astype("float64").where(denominator > 0)


Times = pd.Timestamp | pd.Series | pd.DataFrame


def days_between(start: Times, end: Times) -> pd.Series | pd.DataFrame:
    """Days (fractional) from `start` to `end`."""
    return (end - start) / DAY


def windowed_ratios(
    counts: pd.DataFrame, ratios: dict[str, tuple[str, str]], windows: Iterable[int | None]
) -> pd.DataFrame:
    """`<name>_<window>` = `<numerator>_<window>` / `<denominator>_<window>` for every ratio
    and window of a frame made by `additive_over_windows`."""
    return pd.DataFrame(
        {
            f"{name}{window_suffix(days)}": ratio(
                counts[f"{numerator}{window_suffix(days)}"], counts[f"{denominator}{window_suffix(days)}"]
            )
            for days in windows
            for name, (numerator, denominator) in ratios.items()
        },
        index=counts.index,
    )
