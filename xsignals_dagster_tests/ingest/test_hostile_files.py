"""Files an ordinary reader chokes on: values far longer than usual."""

from __future__ import annotations

import json

import pytest

from xsignals_dagster_tests.ingest.landing_files import ingest, land, table

MEGABYTE_VALUE = "shoes " * ((1 << 20) // 6 + 1)


def _web_file(path: str) -> str:
    rows = [
        {"event_id": "e1", "ts": "2026-11-20T10:00:00", "cookie_id": "c1", "event_type": "search", "search_query": MEGABYTE_VALUE},
        {"event_id": "e2", "ts": "2026-11-20T10:01:00", "cookie_id": "c1", "event_type": "page_view", "search_query": ""},
    ]
    if path.endswith(".jsonl"):
        return "".join(json.dumps(row) + "\n" for row in rows)
    return "event_id,ts,cookie_id,event_type,search_query\n" + "".join(",".join(row.values()) + "\n" for row in rows)


@pytest.mark.parametrize("path", ["web/2026-11-20.csv", "web/2026-11-20.csv.gz", "web/2026-11-20.jsonl"])
def test_a_one_megabyte_field_loads_in_every_text_format(store, landing, path):
    assert len(MEGABYTE_VALUE) > 1 << 20
    land(landing, path, _web_file(path))
    ingest(store, landing, "web", "2026-11-20")
    assert table(store, "quarantined_files").empty
    loaded = table(store, "stg_web").set_index("event_id")
    assert sorted(loaded.index) == ["e1", "e2"]
    assert loaded.loc["e1", "search_query"] == MEGABYTE_VALUE.strip()
