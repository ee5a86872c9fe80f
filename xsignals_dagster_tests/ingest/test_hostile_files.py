"""Files an ordinary reader chokes on: values far longer than usual."""

from __future__ import annotations

import json

import pytest

from xsignals_dagster.ingest.pipeline import CHUNK_ROWS, STREAM_BYTES
from xsignals_dagster_tests.ingest.landing_files import ingest, land, table

MEGABYTE_VALUE = "shoes " * ((1 << 20) // 6 + 1)


def _web_file(path: str) -> str:
    rows = [
        {
            "event_id": "e1",
            "ts": "2026-11-20T10:00:00",
            "cookie_id": "c1",
            "event_type": "search",
            "search_query": MEGABYTE_VALUE,
        },
        {
            "event_id": "e2",
            "ts": "2026-11-20T10:01:00",
            "cookie_id": "c1",
            "event_type": "page_view",
            "search_query": "",
        },
    ]
    if path.endswith(".jsonl"):
        return "".join(json.dumps(row) + "\n" for row in rows)
    return "event_id,ts,cookie_id,event_type,search_query\n" + "".join(
        ",".join(row.values()) + "\n" for row in rows
    )


@pytest.mark.parametrize("path", ["web/2026-11-20.csv", "web/2026-11-20.csv.gz", "web/2026-11-20.jsonl"])
def test_a_one_megabyte_field_loads_in_every_text_format(store, landing, path):
    assert len(MEGABYTE_VALUE) > 1 << 20
    land(landing, path, _web_file(path))
    ingest(store, landing, "web", "2026-11-20")
    assert table(store, "quarantined_files").empty
    loaded = table(store, "stg_web").set_index("event_id")
    assert sorted(loaded.index) == ["e1", "e2"]
    assert loaded.loc["e1", "search_query"] == MEGABYTE_VALUE.strip()


def test_a_file_too_big_to_hold_is_read_in_chunks_with_duplicates_found_across_them(store, landing):
    rows = STREAM_BYTES // 100 + CHUNK_ROWS // 2
    ids = [f"e{i:09d}" for i in range(rows)]
    ids[-1] = ids[0]  # in the last chunk, a key the first chunk loaded
    lines = "".join(
        f"{event_id},2026-11-20T10:00:00,cookie-{i % 5000:08d},page_view,{'x' * 40}\n"
        for i, event_id in enumerate(ids)
    )
    land(landing, "web/2026-11-20.csv", "event_id,ts,cookie_id,event_type,search_query\n" + lines)
    assert (landing / "web/2026-11-20.csv").stat().st_size > STREAM_BYTES and rows > CHUNK_ROWS
    ingest(store, landing, "web", "2026-11-20")
    files = table(store, "ingested_files")
    assert files[["rows_read", "rows_loaded", "rows_rejected"]].values.tolist() == [[rows, rows - 1, 1]]
    rejected = table(store, "rejected_rows")
    assert rejected["row_number"].tolist() == [rows]
    assert rejected["reason"].tolist() == [
        f"duplicate key: {ids[0]} was already loaded from web/2026-11-20.csv"
    ]
    assert store.count("stg_web") == rows - 1
