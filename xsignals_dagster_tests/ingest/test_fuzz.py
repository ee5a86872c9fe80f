"""Hostile-input fuzzing: valid landing files mutated (truncated, random bytes, quotes,
delimiters, other encodings, huge and empty values, shuffled or repeated header columns).
Whatever the mutation, ingestion completes, the file is either ingested or quarantined, and
rows read = rows loaded + rows rejected. CI runs FUZZ_EXAMPLES examples per warehouse."""

from __future__ import annotations

import gzip
import io
import json
import shutil

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xsignals_dagster_tests.ingest.landing_files import ingest, land

FUZZ_EXAMPLES = 100
DATE = "2026-11-20"
WEB = pd.DataFrame(
    {
        "event_id": [f"e{i}" for i in range(6)],
        "ts": [f"{DATE}T1{i}:00:00" for i in range(6)],
        "cookie_id": ["c1", "c2", "c1", "c3", "c2", "c4"],
        "event_type": ["page_view", "search", "purchase", "product_view", "add_to_cart", "page_view"],
        "email": ["a@b.example", "", "C@D.example", "", "x@y.example", ""],
        "order_id": ["", "", "o1", "", "", ""],
        "revenue": ["", "", "19.90", "", "", ""],
    }
)
TEMPLATES = {
    f"web/{DATE}.csv": WEB.to_csv(index=False).encode(),
    f"web/{DATE}.csv.gz": WEB.to_csv(index=False).encode(),  # gzipped after the mutations
    f"web/{DATE}.jsonl": "".join(json.dumps(row) + "\n" for row in WEB.to_dict("records")).encode(),
}
_buffer = io.BytesIO()
pq.write_table(pa.Table.from_pandas(WEB, preserve_index=False), _buffer)
TEMPLATES[f"web/{DATE}.parquet"] = _buffer.getvalue()


def _at(draw, data: bytes, insert: bytes) -> bytes:
    position = draw(st.integers(0, len(data)))
    return data[:position] + insert + data[position:]


def _header(draw, data: bytes, repeat: bool) -> bytes:
    header, _, rest = data.partition(b"\n")
    names = header.split(b",")
    names = names + [draw(st.sampled_from(names))] if repeat else draw(st.permutations(names))
    return b",".join(names) + b"\n" + rest


MUTATIONS = {
    "truncate": lambda draw, data: data[: draw(st.integers(0, len(data)))],
    "random bytes": lambda draw, data: _at(draw, data, draw(st.binary(min_size=1, max_size=16))),
    "quote": lambda draw, data: _at(draw, data, draw(st.sampled_from([b'"', b'""', b"'", b'\\"']))),
    "delimiter": lambda draw, data: _at(
        draw, data, draw(st.sampled_from([b",", b"\n", b"\r\n", b"\r", b";", b"\t", b"{", b"}"]))
    ),
    "encoding": lambda draw, data: data.decode("utf-8", "replace").encode(
        draw(st.sampled_from(["utf-16", "utf-8-sig", "latin-1", "cp1252"])), "replace"
    ),
    "huge value": lambda draw, data: _at(draw, data, b"x" * draw(st.integers(100_000, 300_000))),
    "empty value": lambda draw, data: data.replace(
        draw(st.sampled_from([b"c1", b"page_view", b"e3", b"19.90", b"a@b.example"])), b""
    ),
    "shuffled header": lambda draw, data: _header(draw, data, repeat=False),
    "repeated header": lambda draw, data: _header(draw, data, repeat=True),
}


@st.composite
def mutated_files(draw) -> tuple[str, bytes, list[str]]:
    path = draw(st.sampled_from(sorted(TEMPLATES)))
    data = TEMPLATES[path]
    names = draw(st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=3))
    for name in names:
        data = MUTATIONS[name](draw, data)
    if path.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
        if draw(st.booleans()):
            data = MUTATIONS[draw(st.sampled_from(["truncate", "random bytes"]))](draw, data)
    return path, data, names


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=mutated_files())
def test_any_mutated_file_is_ingested_or_quarantined_and_its_rows_reconcile(store, tmp_path, case):
    path, data, _ = case
    landing = tmp_path / "landing"
    shutil.rmtree(landing, ignore_errors=True)  # one file per example; its date's partition is replaced
    land(landing, path, data)
    ingest(store, landing, "web", DATE)
    files = store.read_table("ingested_files", where={"extract_date": DATE})
    quarantined = store.read_table("quarantined_files", where={"extract_date": DATE})
    assert sorted([*files["path"], *quarantined["path"]]) == [path]
    for file in files.itertuples():
        assert file.rows_read == file.rows_loaded + file.rows_rejected
        assert file.rows_loaded == len(store.read_table("stg_web", ["event_id"], where={"source_path": path}))
        assert file.rows_rejected == len(
            store.read_table("rejected_rows", ["row_number"], where={"path": path})
        )
