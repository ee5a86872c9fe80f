"""Which records a signal may look at: those of a customer, dated up to `as_of`.

Every signal is a point-in-time function of the data. `SourceRecords` is the one gate:
a source's rows are reachable only through it, already restricted to `ts <= as_of`
(rosters: `updated_at <= as_of`) and to the records identity resolution gave a customer.
Customers are carried as int32 codes (positions in `customer_ids`, which is sorted) so
that the heavy groupbys hash integers, not strings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xsignals_dagster.contract.sources import SOURCES, column_kind

_KIND_DTYPES = {
    "timestamp": "datetime64[ns]",
    "date": "datetime64[ns]",
    "decimal": "float64",
    "integer": "Int64",
    "boolean": "boolean",
    "text": "object",
}

# Rows of these sources are events of a person; `erasure` requests are not.
EVENT_SOURCES = tuple(name for name, schema in SOURCES.items() if not schema.roster and name != "erasure")
# When a roster member was first known, beside `updated_at`.
ROSTER_START_COLUMNS = {"loyalty": "joined_at", "accounts": "created_at"}


def time_column(source: str) -> str:
    """The column that dates a record: `updated_at` for rosters, `ts` otherwise."""
    return "updated_at" if SOURCES[source].roster else "ts"


def typed(values: pd.Series, column: str) -> pd.Series:
    """A contract column in its pandas dtype (an empty frame arrives with object columns)."""
    dtype = _KIND_DTYPES[column_kind(column)]
    return values if values.dtype == dtype else values.astype(dtype)


def empty_frame(source: str) -> pd.DataFrame:
    """A source frame without rows, every contract column typed."""
    columns = (*SOURCES[source].columns, "record_key", "source_path", "source_row")
    return pd.DataFrame({c: typed(pd.Series([], dtype=object), c) for c in columns})


class SourceRecords:
    """The records of every source that belong to a customer, up to `as_of`.

    `record_customers` (`source, record_key, customer_id`) ties records to customers;
    a record without a customer is never seen.
    """

    def __init__(self, frames: dict[str, pd.DataFrame], record_customers: pd.DataFrame, as_of: pd.Timestamp):
        self.as_of = pd.Timestamp(as_of)
        self._frames = frames
        owned = record_customers.dropna(subset=["customer_id"])
        codes, ids = pd.factorize(owned["customer_id"].to_numpy(), sort=True)
        self.customer_ids = pd.Index(ids, name="customer_id")
        keyed = pd.DataFrame(
            {"record_key": owned["record_key"].to_numpy(), "customer": codes.astype(np.int32)},
        )
        source_codes, sources = pd.factorize(owned["source"].to_numpy())
        self._keys = {source: keyed[source_codes == code] for code, source in enumerate(sources)}
        self._keys_without_rows = keyed.iloc[:0]
        self._matches: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    @property
    def all_customers(self) -> pd.Index:
        """Codes of every customer that owns a record, whatever its date."""
        return pd.RangeIndex(len(self.customer_ids), name="customer")

    def frame(self, source: str) -> pd.DataFrame:
        frame = self._frames.get(source)
        return empty_frame(source) if frame is None else frame

    def _match(self, source: str) -> tuple[np.ndarray, np.ndarray]:
        """Row positions in the source frame dated up to as_of that belong to a customer, and
        that customer's code. A record has one customer: should `record_customers` list a
        record twice, its first customer counts."""
        if source not in self._matches:
            frame = self.frame(source)
            keys = self._keys.get(source, self._keys_without_rows)
            dated = typed(frame[time_column(source)], time_column(source))
            rows = np.flatnonzero((dated <= self.as_of).to_numpy())
            index = pd.Index(keys["record_key"])
            if not index.is_unique:
                keys = keys[~index.duplicated()]
                index = pd.Index(keys["record_key"])
            key_of_row = index.get_indexer(frame["record_key"].to_numpy()[rows])
            owned = key_of_row >= 0
            self._matches[source] = (rows[owned], keys["customer"].to_numpy()[key_of_row[owned]])
        return self._matches[source]

    def rows(self, source: str, columns: list[str]) -> pd.DataFrame:
        """`customer` and the requested columns (typed) of the source's visible records."""
        rows, customers = self._match(source)
        frame = self.frame(source)
        selected = {"customer": pd.Series(customers)}
        for column in columns:
            taken = (
                frame[column].array.take(rows)
                if column in frame.columns
                else np.full(len(rows), None, dtype=object)
            )
            selected[column] = typed(pd.Series(taken), column)
        return pd.DataFrame(selected)

    def seen(self) -> pd.DataFrame:
        """`first_seen` and `last_seen` per customer code over every visible record: event
        timestamps, roster `updated_at` and a roster's joined/created date."""
        times = [self.rows(source, ["ts"]).rename(columns={"ts": "at"}) for source in EVENT_SOURCES]
        for source, start_column in ROSTER_START_COLUMNS.items():
            roster = self.rows(source, ["updated_at", start_column])
            times.append(roster[["customer", "updated_at"]].rename(columns={"updated_at": "at"}))
            started = roster[roster[start_column] <= roster["updated_at"]]
            times.append(started[["customer", start_column]].rename(columns={start_column: "at"}))
        seen = (
            pd.concat(times, ignore_index=True)
            .groupby("customer")["at"]
            .agg(first_seen="min", last_seen="max")
        )
        return seen.astype("datetime64[ns]")

    def by_customer_id(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A frame indexed by customer code, re-indexed by `customer_id`."""
        return frame.set_axis(self.customer_ids[frame.index.to_numpy()], axis=0)
