"""The public entry points: every signal type at a point in time, and `customer_profiles`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from xsignals_dagster.ingest.records import SourceRecords
from xsignals_dagster.signals.behavioral import behavioral_signals
from xsignals_dagster.signals.contextual import contextual_signals
from xsignals_dagster.signals.engagement import engagement_signals
from xsignals_dagster.signals.events import Touchpoints
from xsignals_dagster.signals.journey import journey_signals
from xsignals_dagster.signals.preference import preference_signals
from xsignals_dagster.signals.transactional import transactional_signals

SIGNAL_TYPES: dict[str, Callable[[Touchpoints], pd.DataFrame]] = {
    "behavioral": behavioral_signals,
    "transactional": transactional_signals,
    "engagement": engagement_signals,
    "contextual": contextual_signals,
    "preference": preference_signals,
    "journey": journey_signals,
}

# What a customer without any record gets in a column of each dtype: a count (numpy int64)
# is 0 and a fact (bool) is False; anything else (float, Int64, str) is unknown.
_NO_DATA_VALUES = {"int64": 0, "bool": False}


def compute_signals(
    frames: dict[str, pd.DataFrame], record_customers: pd.DataFrame, as_of: pd.Timestamp
) -> dict[str, pd.DataFrame]:
    """Every signal type (`SIGNAL_TYPES`) as of `as_of`, from the records dated up to then.

    Each frame is indexed by `customer_id` (sorted), one row per customer with any record up
    to as_of, its columns prefixed by the type and described in that type's module.
    """
    touchpoints = Touchpoints(SourceRecords(frames, record_customers, as_of))
    return {
        name: touchpoints.records.by_customer_id(signal(touchpoints)) for name, signal in SIGNAL_TYPES.items()
    }


def _for_customers(signals: pd.DataFrame, customer_ids: pd.Index) -> pd.DataFrame:
    """A signal frame re-indexed to `customer_ids`, the new rows given each dtype's no-data value."""
    columns_by_dtype = pd.Series(signals.columns, index=signals.dtypes.astype(str).to_numpy()).groupby(
        level=0
    )
    parts = [
        signals[list(columns)].reindex(customer_ids, fill_value=_NO_DATA_VALUES.get(dtype, np.nan))
        for dtype, columns in columns_by_dtype
    ]
    return pd.concat(parts, axis=1)[signals.columns]


def build_profile(
    customers: pd.DataFrame,
    signals: dict[str, pd.DataFrame],
    frames: dict[str, pd.DataFrame],
    record_customers: pd.DataFrame,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """`customer_profiles` (CONTRACT §2): one row per customer of `customers`
    (`customer_id, is_known`), with `first_seen` and `last_seen` over their records up to
    as_of, then every signal column of `signals` (as from `compute_signals`)."""
    known = customers.drop_duplicates("customer_id").set_index("customer_id")["is_known"]
    customer_ids = known.index
    records = SourceRecords(frames, record_customers, as_of)
    profile = pd.concat(
        [
            known.astype("boolean").fillna(False).astype(bool),
            records.by_customer_id(records.seen()).reindex(customer_ids),
            *(_for_customers(signals[name], customer_ids) for name in SIGNAL_TYPES),
        ],
        axis=1,
    )
    return profile.rename_axis("customer_id").reset_index()
