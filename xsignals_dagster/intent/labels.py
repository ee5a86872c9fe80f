"""Purchases on every channel, and point-in-time training snapshots labelled by them.

A snapshot at `as_of` (an extract date: a day) pairs what was known up to that day, through
the caller's `features_at(as_of)`, with whether the customer bought on any channel on days
`as_of`+1 … `as_of`+`horizon_days`. Features never see the label window and labels never
see anything outside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd

from xsignals_dagster.intent.features import AS_OF, CUSTOMER_ID, LABEL, LABEL_OWNER, with_customer_column

PURCHASE_COLUMNS = [CUSTOMER_ID, "ts", "channel", "order_id", "product_id", "category", "amount"]
ONLINE_PURCHASE_SOURCES = ("web", "app")
# The signals package files `pos` lines under the `store` channel; purchases follow it.
STORE_CHANNEL = "store"


def utc_day(moment) -> pd.Timestamp:
    """A date or timestamp as its UTC day (midnight, without a zone)."""
    stamp = pd.Timestamp(moment)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.normalize()


def utc_days(moments: pd.Series) -> pd.Series:
    """Timestamps (with or without a zone; none means UTC) as their UTC day."""
    stamps = pd.to_datetime(moments, utc=True)
    return stamps.dt.tz_localize(None).dt.normalize()


def _online_purchases(source: str, frame: pd.DataFrame) -> pd.DataFrame:
    bought = frame[(frame["event_type"] == "purchase").to_numpy()]  # ingest stores enumerations lower-case
    return pd.DataFrame(
        {
            "source": source,
            "record_key": bought["record_key"],
            "ts": bought["ts"],
            "channel": source,
            "order_id": bought["order_id"],
            "product_id": bought["product_id"],
            "category": bought["category"],
            "amount": bought["revenue"],
        }
    )


def _store_purchases(frame: pd.DataFrame) -> pd.DataFrame:
    """Sale lines of the tills (a negative amount is a return, not a purchase); a transaction
    is one order, each product line kept."""
    sold = frame[pd.to_numeric(frame["amount"], errors="coerce") > 0]
    return pd.DataFrame(
        {
            "source": "pos",
            "record_key": sold["record_key"],
            "ts": sold["ts"],
            "channel": STORE_CHANNEL,
            "order_id": sold["transaction_id"],
            "product_id": sold["product_id"],
            "category": sold["category"],
            "amount": sold["amount"],
        }
    )


def purchases_from_frames(frames: dict[str, pd.DataFrame], record_customers: pd.DataFrame) -> pd.DataFrame:
    """Every purchase of a known customer: web/app `purchase` events and positive `pos` lines.

    `frames` holds each source's typed rows with `record_key`; `record_customers`
    (`source, record_key, customer_id`) says whose they are. A record without a customer is
    left out (nobody to label); one given to several customers counts for each.
    Columns: `customer_id, ts (UTC), channel (web/app/store), order_id, product_id, category,
    amount`, sorted by time.
    """
    pieces = [_online_purchases(s, frames[s]) for s in ONLINE_PURCHASE_SOURCES if s in frames]
    if "pos" in frames:
        pieces.append(_store_purchases(frames["pos"]))
    pieces = [p for p in pieces if not p.empty]
    if not pieces:
        return pd.DataFrame(
            {c: pd.Series(dtype="datetime64[ns, UTC]" if c == "ts" else object) for c in PURCHASE_COLUMNS}
        )
    lines = pd.concat(pieces, ignore_index=True)
    owners = record_customers[["source", "record_key", CUSTOMER_ID]].dropna(subset=[CUSTOMER_ID])
    # Narrowed to the purchase records' keys first: a merge factorizes both sides' keys, and the
    # owners are every record of every source.
    owners = owners[owners["record_key"].isin(lines["record_key"]).to_numpy()]
    purchases = lines.merge(owners, on=["source", "record_key"], how="inner")
    purchases["ts"] = pd.to_datetime(purchases["ts"], utc=True)
    purchases["amount"] = pd.to_numeric(purchases["amount"], errors="coerce")
    return purchases[PURCHASE_COLUMNS].sort_values(["ts", CUSTOMER_ID], kind="stable").reset_index(drop=True)


# The least history before a snapshot for its features to say anything about a customer.
FEATURE_WINDOW_DAYS = 7
# Snapshots the model trains on: each adds every customer's state at another day, at the cost
# of computing every signal again. TRAINING_SNAPSHOTS at least (where the history holds them),
# one per horizon the history spans beyond that, up to MAX_TRAINING_SNAPSHOTS: a long history
# then shows the model customers at many ages and seasons rather than its last weeks only.
# On CDNOW's cohort (30-day horizon over 9 to 15 months of history) the first four snapshots
# covered the last 3 to 4 weeks before the evaluated one, and the customers scored were older
# than any the model had seen; one per horizon lifted its ROC-AUC by 0.003 to 0.009 (the
# 30-day splits of benchmarks/intent_real.py). A history of four horizons or fewer is as before.
TRAINING_SNAPSHOTS = 4
MAX_TRAINING_SNAPSHOTS = 12


def snapshot_step_days(horizon_days: int) -> int:
    """Days between training snapshots: a quarter of the horizon, at least a week. Snapshots a
    week apart share most of a long label window, so with a long horizon they would repeat
    one another instead of showing the model other moments."""
    return max(7, -(-horizon_days // 4))


def snapshot_dates(
    first_date,
    last_date,
    horizon_days: int,
    feature_window_days: int = FEATURE_WINDOW_DAYS,
    training_snapshots: int = TRAINING_SNAPSHOTS,
    max_training_snapshots: int = MAX_TRAINING_SNAPSHOTS,
) -> list[pd.Timestamp]:
    """The snapshot days a history of `first_date` … `last_date` holds, oldest first.

    The newest is the last day whose label window (`horizon_days` after it) has fully landed:
    the model is evaluated there. Before it come up to `training_snapshots` days whose label
    windows closed by then (`snapshot_step_days` apart), none earlier than
    `feature_window_days` after the first day: a history of at least twice the horizon plus
    that window trains and evaluates out of time. A history spanning more than
    `training_snapshots` horizons gets one training snapshot per horizon it spans (up to
    `max_training_snapshots`), the ones beyond the first `training_snapshots` twice
    `snapshot_step_days` apart. A shorter history that still holds one
    complete label window gives the snapshots from the newest one back, all inside one
    horizon of each other: the model then trains and evaluates on separate customers
    (`training.split_training_set`). A history shorter than the horizon plus the feature
    window gives none.
    """
    earliest = utc_day(first_date) + pd.Timedelta(days=feature_window_days)
    horizon = pd.Timedelta(days=horizon_days)
    newest = utc_day(last_date) - horizon
    if newest < earliest:
        return []
    step = pd.Timedelta(days=snapshot_step_days(horizon_days))
    spanned = (utc_day(last_date) - utc_day(first_date)).days // horizon_days
    wanted = min(max(training_snapshots, spanned), max(training_snapshots, max_training_snapshots))
    older = [newest - horizon - step * k for k in range(training_snapshots)]
    older += [older[-1] - 2 * step * k for k in range(1, wanted - training_snapshots + 1)]
    if older[0] < earliest:  # no closed label window before the newest: one horizon's worth
        older = [newest - step * k for k in range(1, training_snapshots) if step * k < horizon]
    return sorted(d for d in [*older, newest] if d >= earliest)


def sample_customers(record_customers: pd.DataFrame, max_customers: int, seed: int) -> pd.DataFrame:
    """The rows of `record_customers` (`source, record_key, customer_id`) of at most
    `max_customers` customers, a seeded sample when there are more."""
    customers = record_customers[CUSTOMER_ID].dropna().unique()
    if len(customers) <= max_customers:
        return record_customers
    chosen = pd.Series(customers).sample(max_customers, random_state=seed)
    return record_customers[record_customers[CUSTOMER_ID].isin(chosen).to_numpy()]


def purchase_labels(purchases: pd.DataFrame, customer_ids: pd.Series, as_of, horizon_days: int) -> pd.Series:
    """1 for each customer who bought on days as_of+1 … as_of+horizon_days (UTC), else 0."""
    day = utc_day(as_of)
    bought_day = utc_days(purchases["ts"])
    in_window = (bought_day > day) & (bought_day <= day + pd.Timedelta(days=horizon_days))
    buyers = pd.Index(purchases.loc[in_window, CUSTOMER_ID].unique())
    return customer_ids.isin(buyers).astype("int8")


def build_training_set(
    features_at: Callable[[pd.Timestamp], pd.DataFrame],
    purchases: pd.DataFrame,
    as_of_dates: Iterable,
    horizon_days: int,
) -> pd.DataFrame:
    """One row per customer and snapshot: `customer_id`, `as_of`, the features known at
    `as_of` (from `features_at(as_of)`, a frame indexed by or holding `customer_id`) and the
    label `purchased`.

    Only the customers `features_at` returns are in a snapshot: someone first seen later does
    not exist yet at `as_of`. A `label_customer_id` column, if returned, names whose
    purchases label each row (and is not kept).
    """
    snapshots = []
    for as_of in sorted({utc_day(d) for d in as_of_dates}):
        features = with_customer_column(features_at(as_of))
        owners = features.pop(LABEL_OWNER) if LABEL_OWNER in features.columns else features[CUSTOMER_ID]
        features.insert(1, AS_OF, as_of)
        features[LABEL] = purchase_labels(purchases, owners, as_of, horizon_days).to_numpy()
        if snapshots and set(features.columns) != set(snapshots[0].columns):
            raise ValueError(
                f"features_at returned other columns at {as_of:%Y-%m-%d} than at the first snapshot"
            )
        snapshots.append(features[snapshots[0].columns] if snapshots else features)
    if not snapshots:
        raise ValueError("no snapshot dates given")
    return pd.concat(snapshots, ignore_index=True)
