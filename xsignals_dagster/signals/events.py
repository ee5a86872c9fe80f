"""Every touchpoint as one long, typed event table, and the `Touchpoints` the signals read.

Columns of `touchpoint_events`:

- `customer` int32 code, `ts` datetime64;
- `channel` category of `CHANNELS` (`pos` lines are the `store` channel);
- `event_type` category of `EVENT_TYPES`: the source's own type; a `pos` line is a
  `purchase` (amount >= 0) or a `return` (amount < 0); a `service` contact is `contact`;
- `product_id`, `category` categories (one shared product vocabulary across sources, so
  the same product seen on two channels is the same value);
- `initiated` bool: the customer acted (False for what the brand sent: `sent`,
  `delivered`, `bounce`, `push_received`).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from xsignals_dagster.contract.sources import SOURCES
from xsignals_dagster.ingest.records import SourceRecords
from xsignals_dagster.privacy.consent import consent_by_customer

CHANNELS = ("web", "app", "store", "email", "service")
SHOPPING_CHANNELS = ("web", "app", "store")
CHANNEL_OF_SOURCE = {
    "web": "web",
    "app": "app",
    "store": "store",
    "pos": "store",
    "email": "email",
    "service": "service",
}
BRAND_INITIATED = ("sent", "delivered", "bounce", "push_received")
EVENT_TYPES = tuple(
    dict.fromkeys(
        [*(t for s in CHANNEL_OF_SOURCE for t in SOURCES[s].enums.get("event_type", ())), "return", "contact"]
    )
)
_PRODUCT_COLUMNS = ("product_id", "category")


def _event_types(source: str, rows: pd.DataFrame) -> np.ndarray:
    """The event type of each row: the source's own, or the one its kind of record implies."""
    if source == "pos":
        return np.where(rows["amount"] < 0, "return", "purchase")
    if source == "service":
        return np.full(len(rows), "contact", dtype=object)
    return rows["event_type"].to_numpy()


def touchpoint_events(records: SourceRecords) -> pd.DataFrame:
    """The long event table (columns in the module docstring) of every visible record of the
    event sources. Built from plain arrays, each column concatenated once."""
    parts: dict[str, list[np.ndarray]] = {
        c: [] for c in ("customer", "ts", "channel", "event_type", *_PRODUCT_COLUMNS)
    }
    for source, channel in CHANNEL_OF_SOURCE.items():
        columns = SOURCES[source].columns
        rows = records.rows(
            source, ["ts", *(c for c in ("event_type", "amount", *_PRODUCT_COLUMNS) if c in columns)]
        )
        parts["customer"].append(rows["customer"].to_numpy())
        parts["ts"].append(rows["ts"].to_numpy())
        parts["channel"].append(np.full(len(rows), CHANNELS.index(channel), dtype=np.int8))
        parts["event_type"].append(pd.Categorical(_event_types(source, rows), categories=EVENT_TYPES).codes)
        for column in _PRODUCT_COLUMNS:
            parts[column].append(
                rows[column].to_numpy() if column in rows else np.full(len(rows), None, dtype=object)
            )
    events = pd.DataFrame(
        {
            "customer": np.concatenate(parts["customer"]),
            "ts": np.concatenate(parts["ts"]),
            "channel": pd.Categorical.from_codes(np.concatenate(parts["channel"]), CHANNELS),
            "event_type": pd.Categorical.from_codes(np.concatenate(parts["event_type"]), EVENT_TYPES),
            **{column: pd.Categorical(np.concatenate(parts[column])) for column in _PRODUCT_COLUMNS},
        }
    )
    events["initiated"] = ~events["event_type"].isin(BRAND_INITIATED)
    return events


class Touchpoints:
    """Everything a signal module reads, prepared once per `as_of`.

    `customers` are the codes of the customers with any record up to as_of: every signal
    frame has exactly one row for each.
    """

    def __init__(self, records: SourceRecords):
        self.records = records
        self.as_of = records.as_of
        self.customers = records.seen().index

    @cached_property
    def events(self) -> pd.DataFrame:
        return touchpoint_events(self.records)

    @cached_property
    def activity(self) -> pd.DataFrame:
        """The events the customer initiated."""
        return (
            self.events[self.events["initiated"].to_numpy()].drop(columns="initiated").reset_index(drop=True)
        )

    @cached_property
    def consent(self) -> pd.DataFrame:
        """`privacy.consent` state as of as_of, per customer code."""
        return consent_by_customer(self.records).reindex(self.customers)
