"""Read a landed file into rows of text values, whatever its format.

A file that cannot be read as a whole raises `UnreadableFile`; a record that cannot be
read (invalid UTF-8, wrong field count, a JSON line that is no object) becomes a
`RowProblem` and the rest of the file still loads. Invalid UTF-8 includes a JSON string
escape of a lone surrogate (`"\\ud800"`) and bytes in a parquet string column that are not
UTF-8 (neither can be stored as text): such a row is rejected as "not valid UTF-8".

A NUL character (U+0000) cannot be stored in a PostgreSQL text value either: a row with one
in a value (a raw 0x00 byte in a CSV field, a JSON `"\\u0000"` escape, a parquet string) or
in a JSON key is rejected as "contains a NUL character", and a CSV or parquet header with
one makes the file unreadable. The raw values kept for any rejected row show a NUL (like an
undecodable byte) as U+FFFD, so nothing read from a file carries a NUL further. A file is
searched for NULs once, in C; rows are examined one by one only where it has some.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

# Text that stands for no valid UTF-8: bytes decoded with surrogateescape (U+DC80..U+DCFF)
# or the lone surrogates a JSON escape can write (a valid pair decodes to one code point).
_INVALID_UTF8 = re.compile("[\ud800-\udfff]")
# A JSON escape of a surrogate code unit: where the file has none, json.loads yields none.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_BOM = b"\xef\xbb\xbf"
# What a rejected row's raw values show as U+FFFD: undecodable bytes and NUL (U+0000), which
# PostgreSQL text cannot hold.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_NUL = "\x00"
_NUL_ESCAPE = b"\\u0000"  # JSON's only way to write a NUL (a raw 0x00 byte is no valid JSON)
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


def _text_table(columns: list[str], values: list[list[str | None]]) -> pa.Table:
    return pa.Table.from_arrays([pa.array(v, pa.string()) for v in values], names=columns)


def _header_names(names: list[str]) -> list[str]:
    if any(_NUL in name for name in names):
        raise UnreadableFile("header contains a NUL character")
    cleaned = [name.strip().lower() for name in names]
    if any(not name for name in cleaned):
        raise UnreadableFile("header has an empty column name")
    duplicated = sorted({name for name in cleaned if cleaned.count(name) > 1})
    if duplicated:
        raise UnreadableFile(f"header repeats column(s): {', '.join(duplicated)}")
    return cleaned


def _repaired(text: str) -> str:
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
        hit = pc.match_substring(column, _NUL)
        if pc.any(hit).as_py():
            hit = np.asarray(hit.fill_null(False), dtype=bool)
            found = hit if found is None else found | hit
    return found


def _without_nul_rows(rows: RawRows) -> RawRows:
    """`rows` with each row that holds a NUL character made a `RowProblem` (its values
    present kept, the NUL shown as U+FFFD)."""
    nul = _nul_rows(rows.table)
    if nul is None:
        return rows
    problems = [
        RowProblem(
            int(number),
            NUL_REASON,
            json.dumps({k: _repaired(v) for k, v in record.items() if v is not None}, ensure_ascii=False),
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


def read_csv(data: bytes) -> RawRows:
    """pyarrow parses a clean file in C; the csv module reads any other record by record,
    so that a bad record is a `RowProblem` and not the whole file's failure."""
    data = data.removeprefix(_BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        rows = _read_csv_records(data.decode("utf-8", errors="surrogateescape"), clean=False)
    else:
        rows = _read_csv_arrow(data, text)
        if rows is None:
            rows = _read_csv_records(text, clean=True)
    return _without_nul_rows(rows) if b"\x00" in data else rows  # one search in C; per row only if any


def _read_csv_arrow(data: bytes, text: str) -> RawRows | None:
    """pyarrow's parse, or None where it could read the file otherwise than the csv module:
    a record whose field count is not the header's (pyarrow fails), a header the two read
    differently, or a single column (the csv module skips a record `""`)."""
    try:
        header = next(csv.reader(io.StringIO(text, newline="")), None)
    except csv.Error:
        return None
    if not header or len(header) == 1 or not any(cell.strip() for cell in header):
        return None
    names = [f"f{i}" for i in range(len(header))]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
        )
    except pa.ArrowInvalid:
        return None
    if table.slice(0, 1).to_pylist()[0] != dict(zip(names, header, strict=True)):
        return None
    rows = table.slice(1).rename_columns(_header_names(header))
    return RawRows(rows, np.arange(1, rows.num_rows + 1))


def _read_csv_records(text: str, clean: bool) -> RawRows:
    return next(csv_chunks(io.StringIO(text, newline=""), clean, longest=len(text)))


def csv_chunks(
    stream: Iterable[str], clean: bool, longest: int, chunk_rows: int = sys.maxsize
) -> Iterator[RawRows]:
    """The records of CSV text (`clean`: known to be valid UTF-8, else decoded with
    surrogateescape), `chunk_rows` records at a time, numbered on across chunks."""
    # No field is longer than the file: the csv module's limit (128 KiB by default, process-wide)
    # would otherwise make a valid file with one long value unreadable.
    csv.field_size_limit(max(csv.field_size_limit(), longest + 1))
    try:
        records = csv.reader(stream)
        header = next(records, None)
        if header is None or not any(cell.strip() for cell in header):
            raise UnreadableFile("empty file: no header row")
        if not clean and _INVALID_UTF8.search("".join(header)):
            raise UnreadableFile("header is not valid UTF-8")
        columns = _header_names(header)
        rows: list[list[str]] = []
        numbers: list[int] = []
        problems: list[RowProblem] = []
        row_number = 0
        for record in records:
            if not record or record == [""]:
                continue  # a blank line is no record
            row_number += 1
            if len(record) != len(columns):
                problems.append(
                    RowProblem(
                        row_number,
                        f"wrong number of fields: {len(record)}, header has {len(columns)}",
                        json.dumps({"fields": [_repaired(v) for v in record]}, ensure_ascii=False),
                    )
                )
            elif not clean and any(_INVALID_UTF8.search(v) for v in record):
                problems.append(
                    RowProblem(
                        row_number,
                        "not valid UTF-8",
                        json.dumps(
                            dict(zip(columns, map(_repaired, record), strict=True)), ensure_ascii=False
                        ),
                    )
                )
            else:
                rows.append(record)
                numbers.append(row_number)
            if len(rows) + len(problems) >= chunk_rows:
                yield _records(columns, rows, numbers, problems)
                rows, numbers, problems = [], [], []
    except csv.Error as error:
        raise UnreadableFile(f"not valid CSV: {error}") from error
    yield _records(columns, rows, numbers, problems)


def _records(
    columns: list[str], rows: list[list[str]], numbers: list[int], problems: list[RowProblem]
) -> RawRows:
    values = [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in columns]
    return RawRows(_text_table(columns, values), np.array(numbers, dtype=np.int64), problems)


def read_csv_gz(data: bytes) -> RawRows:
    try:
        return read_csv(gzip.decompress(data))
    except (
        OSError,
        EOFError,
        zlib.error,
    ) as error:  # gzip.BadGzipFile is an OSError; a corrupt stream, zlib.error
        raise UnreadableFile(f"not a valid gzip file: {error}") from error


def _json_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _json_raw(value: dict) -> dict[str, str | None]:
    """An object's values as text under their cleaned keys, lone surrogates shown as U+FFFD."""
    return {
        _repaired(key.strip().lower()): None if (text := _json_text(v)) is None else _repaired(text)
        for key, v in value.items()
    }


def _has_nul(value: dict) -> bool:
    """Whether an object has a NUL character in a key or a string value: text it would load
    as (a nested value loads as JSON text, where a NUL is written as an escape)."""
    return any(_NUL in key or (v.__class__ is str and _NUL in v) for key, v in value.items())


def read_jsonl(data: bytes) -> RawRows:
    return next(jsonl_chunks(data.removeprefix(_BOM).split(b"\n")))


def jsonl_chunks(lines: Iterable[bytes], chunk_rows: int = sys.maxsize) -> Iterator[RawRows]:
    """The objects of JSON lines (without their line ends), `chunk_rows` lines at a time."""
    objects: list[dict] = []
    numbers: list[int] = []
    problems: list[RowProblem] = []
    invalid_keys: dict[str, None] = {}  # the keys of objects rejected as not valid UTF-8 or for a NUL
    row_number = 0
    any_object = False
    for line in lines:
        if not line.strip():
            continue
        row_number += 1
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(
                RowProblem(
                    row_number,
                    "not valid UTF-8",
                    json.dumps(
                        {"line": _repaired(line.decode("utf-8", errors="replace"))}, ensure_ascii=False
                    ),
                )
            )
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            problems.append(
                RowProblem(
                    row_number,
                    f"not a JSON object: {error.msg}",
                    json.dumps({"line": _repaired(text)}, ensure_ascii=False),
                )
            )
            continue
        if not isinstance(value, dict):
            problems.append(
                RowProblem(
                    row_number,
                    f"not a JSON object: a JSON {type(value).__name__}",
                    json.dumps({"line": _repaired(text)}, ensure_ascii=False),
                )
            )
            continue
        # `in` first: one scan in C; the pattern and the object only where the line has an escape
        if (
            b"\\u" in line
            and _SURROGATE_ESCAPE.search(line)
            and _INVALID_UTF8.search(json.dumps(value, ensure_ascii=False))
        ):
            raw = _json_raw(value)
            invalid_keys.update(dict.fromkeys(raw))
            problems.append(RowProblem(row_number, "not valid UTF-8", json.dumps(raw, ensure_ascii=False)))
            continue
        if _NUL_ESCAPE in line and _has_nul(value):
            raw = _json_raw(value)
            invalid_keys.update(dict.fromkeys(raw))
            problems.append(RowProblem(row_number, NUL_REASON, json.dumps(raw, ensure_ascii=False)))
            continue
        objects.append(value)
        numbers.append(row_number)
        any_object = True
        if len(objects) + len(problems) >= chunk_rows:
            yield _json_rows(objects, numbers, problems, invalid_keys)
            objects, numbers, problems, invalid_keys = [], [], [], {}
    if row_number and not any_object and not invalid_keys:
        raise UnreadableFile("not JSON lines: no line is a JSON object")
    yield _json_rows(objects, numbers, problems, invalid_keys)


def _json_rows(
    objects: list[dict], numbers: list[int], problems: list[RowProblem], invalid_keys: dict[str, None]
) -> RawRows:
    if not objects:  # every object was rejected: the rows still have their columns
        return RawRows(
            _text_table(list(invalid_keys), [[] for _ in invalid_keys]),
            np.array(numbers, dtype=np.int64),
            problems,
        )
    return RawRows(_json_columns(objects), np.array(numbers, dtype=np.int64), problems)


def _json_columns(objects: list[dict]) -> pa.Table:
    """The objects' values as text, one column per key (cleaned; in order of first appearance),
    built column by column: the objects of a file mostly share one layout of keys."""
    keys = dict.fromkeys(key for layout in dict.fromkeys(map(tuple, objects)) for key in layout)
    names = {key: key.strip().lower() for key in keys}
    if len(set(names.values())) < len(names):  # keys that clean to one name: an object's last one wins
        objects = [{names[k]: v for k, v in obj.items()} for obj in objects]
        names = {name: name for name in dict.fromkeys(names.values())}
    values = [
        [v if v.__class__ is str or v is None else _json_text(v) for v in (obj.get(key) for obj in objects)]
        for key in names
    ]
    return _text_table(list(names.values()), values)


def _parquet_text(column: pa.ChunkedArray) -> pa.ChunkedArray | pa.Array:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column.cast(pa.string())
    if pa.types.is_timestamp(column.type):
        series = column.to_pandas()
        if series.dt.tz is None:
            series = series.dt.tz_localize("UTC")
        return pa.array([None if pd.isna(v) else v.isoformat() for v in series], pa.string())
    if pa.types.is_date(column.type):
        return pa.array([None if v is None else v.isoformat() for v in column.to_pylist()], pa.string())
    return pa.array([_json_text(v) for v in column.to_pylist()], pa.string())


def _is_text(data_type: pa.DataType) -> bool:
    return pa.types.is_string(data_type) or pa.types.is_large_string(data_type)


def _parquet_table(table: pa.Table, columns: list[str]) -> pa.Table:
    """The columns as text. Raises UnicodeDecodeError (a value converted in Python) or
    ArrowInvalid (a string column, checked in C) where a string is not valid UTF-8: parquet
    readers and writers do not check it."""
    text = []
    for column in table.columns:
        converted = _parquet_text(column)
        if _is_text(column.type):
            converted.validate(full=True)
        text.append(converted)
    return pa.Table.from_arrays(text, names=columns)


def _parquet_shown(value: pa.Scalar) -> str | None:
    """A value of a row that is not valid UTF-8 as text, its undecodable bytes and NULs as U+FFFD."""
    try:
        text = _json_text(value.as_py())
        return None if text is None else _repaired(text)
    except UnicodeDecodeError:
        while isinstance(value, pa.DictionaryScalar):
            value = value.value
        if isinstance(value, pa.StringScalar | pa.LargeStringScalar):
            return _repaired(value.as_buffer().to_pybytes().decode("utf-8", errors="replace"))
        return "\ufffd"


def _read_parquet_rows(table: pa.Table, columns: list[str]) -> RawRows:
    """The slow path, for a file with strings that are not valid UTF-8: each such row is a
    `RowProblem`, value by value in the columns that hold one; the other rows load."""
    invalid = np.zeros(table.num_rows, dtype=bool)
    for column in table.columns:
        if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
            continue
        start = 0
        for chunk in column.chunks:
            try:
                chunk.validate(full=True) if _is_text(chunk.type) else chunk.to_pylist()
            except (pa.ArrowInvalid, UnicodeDecodeError):
                for i in range(len(chunk)):
                    try:
                        chunk[i].as_py()
                    except UnicodeDecodeError:
                        invalid[start + i] = True
            start += len(chunk)
    rows = np.flatnonzero(invalid)
    bad = table.take(pa.array(rows, pa.int64()))
    problems = [
        RowProblem(
            int(row) + 1,
            "not valid UTF-8",
            json.dumps(
                {
                    name: v
                    for c, name in enumerate(columns)
                    if (v := _parquet_shown(bad.column(c)[i])) is not None
                },
                ensure_ascii=False,
            ),
        )
        for i, row in enumerate(rows)
    ]
    text = _parquet_table(table.filter(pa.array(~invalid)), columns)
    return RawRows(text, np.flatnonzero(~invalid) + 1, problems)


def _parquet_chunk(table: pa.Table, columns: list[str], offset: int) -> RawRows:
    """Rows `offset + 1 …` of a parquet file as text."""
    try:
        rows = RawRows(_parquet_table(table, columns), np.arange(offset + 1, offset + table.num_rows + 1))
    except (pa.ArrowInvalid, UnicodeDecodeError):
        rows = _read_parquet_rows(table, columns)
        rows.row_numbers += offset
        for problem in rows.problems:
            problem.row_number += offset
    return _without_nul_rows(rows)


def read_parquet(data: bytes) -> RawRows:
    try:
        table = pq.read_table(io.BytesIO(data))
        names = table.column_names
    except (pa.ArrowException, OSError, ValueError) as error:
        raise UnreadableFile(f"not a readable parquet file: {error}") from error
    return _parquet_chunk(table, _header_names(names), 0)


def _parquet_chunks(path: Path, chunk_rows: int) -> Iterator[RawRows]:
    try:
        file = pq.ParquetFile(path)
        columns = _header_names(file.schema_arrow.names)
        offset = 0
        for batch in file.iter_batches(batch_size=chunk_rows):
            table = pa.Table.from_batches([batch])
            yield _parquet_chunk(table, columns, offset)
            offset += table.num_rows
        if not offset:
            yield _parquet_chunk(file.schema_arrow.empty_table(), columns, 0)
    except (pa.ArrowException, OSError, ValueError) as error:
        raise UnreadableFile(f"not a readable parquet file: {error}") from error


def _lines(binary: IO[bytes]) -> Iterator[bytes]:
    """The lines of a file without their line ends (as `split(b"\\n")` gives them), BOM off."""
    first = True
    for line in binary:
        if first:
            line, first = line.removeprefix(_BOM), False
        yield line[:-1] if line.endswith(b"\n") else line


def read_chunks(path: Path, file_format: str, chunk_rows: int) -> Iterator[RawRows]:
    """A file too big to hold at once, `chunk_rows` records at a time, read from disk as it
    goes: the rows `read_rows` gives (CSV through the csv module, which is what pyarrow's
    parse of a small file is checked against)."""
    if file_format == "parquet":
        yield from _parquet_chunks(path, chunk_rows)
        return
    compressed = file_format == "csv.gz"
    try:
        with (gzip.open if compressed else open)(path, "rb") as binary:
            if file_format == "jsonl":
                yield from jsonl_chunks(_lines(binary), chunk_rows)
                return
            text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")
            longest = sys.maxsize - 1 if compressed else path.stat().st_size
            for chunk in csv_chunks(text, clean=False, longest=longest, chunk_rows=chunk_rows):
                yield _without_nul_rows(chunk)
    except (OSError, EOFError, zlib.error) as error:
        if not compressed:
            raise UnreadableFile(f"cannot read file: {getattr(error, 'strerror', None) or error}") from error
        raise UnreadableFile(f"not a valid gzip file: {error}") from error


def raw_values(raw: str) -> list:
    """The values of a rejected row's `raw` JSON: its columns' values, the fields of a CSV
    record with the wrong field count, or the tokens of a line that is no JSON object."""
    parsed = json.loads(raw)
    if set(parsed) == {"fields"}:
        return list(parsed["fields"])
    if set(parsed) == {"line"}:
        return parsed["line"].replace(",", " ").replace('"', " ").split()
    return list(parsed.values())


READERS = {"csv": read_csv, "csv.gz": read_csv_gz, "jsonl": read_jsonl, "parquet": read_parquet}


def read_rows(data: bytes, file_format: str) -> RawRows:
    return READERS[file_format](data)
