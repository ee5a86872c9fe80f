"""Rows of text values read from a landed file, and the rules every reader shares.

A file that cannot be read as a whole raises `UnreadableFile`; a record that cannot be read
becomes a `RowProblem` and the rest of the file still loads. A NUL character (U+0000) cannot be
stored in a PostgreSQL text value: a row with one is rejected as "contains a NUL character",
and the raw values kept for any rejected row show a NUL (like an undecodable byte) as U+FFFD.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# What a rejected row's raw values show as U+FFFD: undecodable bytes and NUL (U+0000), which
# PostgreSQL text cannot hold.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
NUL = "\x00"
NUL = "\x00"
NUL_REASON = "contains a NUL character"


class UnreadableFile(Exception):
    """The file as a whole cannot be read; the message is the quarantine reason."""


@dataclass
class RowProblem:
    row_number: int
    reason: str
    raw: str


@dataclass
class RawRows:
    """The readable records of a file: one string column per column name, values as read
    (null where a record has no value), numbered from 1."""

    table: pa.Table
    row_numbers: np.ndarray
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return self.table.column_names

    @property
    def rows_read(self) -> int:
        return self.table.num_rows + len(self.problems)


def text_table(columns: list[str], values: list[list[str | None]]) -> pa.Table:
    return pa.Table.from_arrays([pa.array(v, pa.string()) for v in values], names=columns)


def header_names(names: list[str]) -> list[str]:
    if any(NUL in name for name in names):
        raise UnreadableFile("header contains a NUL character")
    cleaned = [name.strip().lower() for name in names]
    if any(not name for name in cleaned):
        raise UnreadableFile("header has an empty column name")
    duplicated = sorted({name for name in cleaned if cleaned.count(name) > 1})
    if duplicated:
        raise UnreadableFile(f"header repeats column(s): {', '.join(duplicated)}")
    return cleaned


def repaired(text: str) -> str:
    """Text decoded with surrogateescape (or a JSON string with lone surrogates), with
    undecodable bytes (lone surrogates) and NUL characters shown as U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text)


def _may_hold_nul(column: pa.ChunkedArray) -> bool:
    """Whether a string column's character data has a 0x00 byte: one pass over its buffers,
    without a copy (a buffer may hold bytes of values sliced off: then a false alarm)."""
    if not pa.types.is_string(column.type):
        return True
    for chunk in column.chunks:
        data = chunk.buffers()[2]
        if data is not None and data.size and np.frombuffer(data, np.uint8).min() == 0:
            return True
    return False


def _nul_rows(table: pa.Table) -> np.ndarray | None:
    """Which rows of a text table hold a NUL character in a value, or None if none does:
    a byte scan per column, then a substring search in Arrow where it found one."""
    found = None
    for column in table.columns:
        if not _may_hold_nul(column):
            continue
        hit = pc.match_substring(column, NUL)
        if pc.any(hit).as_py():
            hit = np.asarray(hit.fill_null(False), dtype=bool)
            found = hit if found is None else found | hit
    return found


def without_nul_rows(rows: RawRows) -> RawRows:
    """`rows` with each row that holds a NUL character made a `RowProblem` (its values
    present kept, the NUL shown as U+FFFD)."""
    nul = _nul_rows(rows.table)
    if nul is None:
        return rows
    problems = [
        RowProblem(
            int(number),
            NUL_REASON,
            json.dumps({k: repaired(v) for k, v in record.items() if v is not None}, ensure_ascii=False),
        )
        for number, record in zip(
            rows.row_numbers[nul], rows.table.filter(pa.array(nul)).to_pylist(), strict=True
        )
    ]
    return RawRows(
        rows.table.filter(pa.array(~nul)),
        rows.row_numbers[~nul],
        sorted(rows.problems + problems, key=lambda problem: problem.row_number),
    )


def json_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def raw_values(raw: str) -> list:
    """The values of a rejected row's `raw` JSON: its columns' values, the fields of a CSV
    record with the wrong field count, or the tokens of a line that is no JSON object."""
    parsed = json.loads(raw)
    if set(parsed) == {"fields"}:
        return list(parsed["fields"])
    if set(parsed) == {"line"}:
        return parsed["line"].replace(",", " ").replace('"', " ").split()
    return list(parsed.values())
