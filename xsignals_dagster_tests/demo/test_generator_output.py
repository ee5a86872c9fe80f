"""The demo generator's output for a fixed small configuration, pinned as digests.

Restructuring the generator (issue 16 splits one module into a package) must not change a byte it
writes: every draw, its order and every writer stay as they were. The digests were recorded from the
unsplit module, xsignals_dagster/demo/generator.py at commit 35c49b3a773b99b04a676300e9e118a278401f1e.
A deliberate change to what the generator draws or writes changes them too; record them again then,
and say so in that commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from xsignals_dagster.demo.generate import generate

END = dt.date(2026, 11, 21)
PERSONS, DAYS = 300, 10
DIGESTS = {
    3: "d1f11fc47bd6a82dd97afa7d2923b04739a3c742dd054bdac14402dfffa15b36",
    11: "c9662253e62fd3b8a2e1a0c447bd99c2a06459a09bae64e0a5cc6b9624f0992b",
}


def file_content(path: Path) -> bytes:
    """What a written file says. Text, JSON lines and gzip files as their bytes: gzip is written with
    mtime 0 and no file name, so its bytes are deterministic. Parquet files as their schema (without
    its metadata, which names the pandas and pyarrow versions) and their rows, so that upgrading either
    library does not move the digest while any change to the data does."""
    if path.name.endswith(".parquet"):
        table = pq.read_table(path)
        schema = str(table.schema.remove_metadata()).encode()
        return schema + b"\n" + json.dumps(table.to_pylist(), default=str).encode()
    return path.read_bytes()


def output_digest(out: Path) -> str:
    """One sha256 over every file written under `out` (landing and truth), by sorted relative path."""
    digest = hashlib.sha256()
    for path in sorted(path for path in out.rglob("*") if path.is_file()):
        content = file_content(path)
        digest.update(f"{path.relative_to(out).as_posix()}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


@pytest.mark.parametrize("seed", sorted(DIGESTS))
def test_output_is_unchanged(tmp_path: Path, seed: int):
    generate(PERSONS, DAYS, seed=seed, out=tmp_path, end_date=END)
    assert output_digest(tmp_path) == DIGESTS[seed]
