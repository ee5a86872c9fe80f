"""Small helpers to land files in a test landing zone and read back what ingestion wrote."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd

from xsignals_dagster.ingest.pipeline import ingest_source
from xsignals_dagster.warehouse import WarehouseStore


def land(landing: Path, path: str, content: str | bytes) -> Path:
    target = landing / path
    target.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode() if isinstance(content, str) else content
    if path.endswith(".gz") and isinstance(content, str):
        data = gzip.compress(data, mtime=0)
    target.write_bytes(data)
    return target


def ingest(store: WarehouseStore, landing: Path, source: str, *dates: str, region: str = "US"):
    return ingest_source(store, landing, source, list(dates), region)


def table(store: WarehouseStore, name: str) -> pd.DataFrame:
    return store.read_table(name) if store.has_table(name) else pd.DataFrame()


def reasons(store: WarehouseStore) -> dict[int, str]:
    rejected = table(store, "rejected_rows")
    return dict(zip(rejected["row_number"], rejected["reason"], strict=True))
