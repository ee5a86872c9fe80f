"""The loaded rows of each source as DataFrames: what identity and signals start from."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from xsignals_dagster.contract.sources import SOURCES
from xsignals_dagster.contract.tables import STAGING_TABLES, ingested_files
from xsignals_dagster.ingest.validate import key_strings
from xsignals_dagster.warehouse import WarehouseStore

# Staging columns no consumer of the frames reads; not fetched.
_BOOKKEEPING = ("extra", "extract_date")


def current_rows(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Add `record_key` (in place); for a roster keep only each key's current state (latest
    `updated_at`, ties to the later path and row)."""
    schema = SOURCES[source]
    frame["record_key"] = key_strings(frame, schema.key).astype(object)
    if schema.roster:
        frame = frame.sort_values(["updated_at", "source_path", "source_row"]).drop_duplicates(
            "record_key", keep="last"
        )
        frame = frame.reset_index(drop=True)
    return frame


def load_source_frames(store: WarehouseStore, sources: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """Every source's loaded rows (current state for rosters), typed, keyed by source name."""
    frames = {}
    for source in sources or list(SOURCES):
        columns = [c for c in STAGING_TABLES[source].columns if c.name not in _BOOKKEEPING]
        if not store.has_table(STAGING_TABLES[source].name):
            frame = pd.DataFrame(columns=[c.name for c in columns])
        else:
            # In load order: an unordered select comes back in whatever order the database
            # keeps rows (in PostgreSQL, changed by a partition replaced after a crash), and
            # identity's choice of the record that explains a link follows the order it reads.
            staging = STAGING_TABLES[source]
            frame = store.query(sa.select(*columns).order_by(staging.c.source_path, staging.c.source_row))
        frames[source] = current_rows(frame, source)
    return frames


def newest_extract_date(store: WarehouseStore) -> pd.Timestamp | None:
    """The newest extract date any source has loaded a file for (CONTRACT §2 `as_of`)."""
    if not store.has_table(ingested_files.name):
        return None
    newest = store.query(sa.select(sa.func.max(ingested_files.c.extract_date)))
    value = newest.iloc[0, 0] if len(newest) else None
    return pd.Timestamp(value) if value else None


def end_of_day(day: pd.Timestamp) -> pd.Timestamp:
    """The last instant of a UTC day: signals as of an extract date include all of that day."""
    return day.normalize() + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
