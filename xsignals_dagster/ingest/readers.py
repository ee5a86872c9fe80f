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
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from xsignals_dagster.ingest.parquet_files import parquet_chunks, read_parquet
from xsignals_dagster.ingest.raw_rows import (
    NUL,
    NUL_REASON,
    RawRows,
    RowProblem,
    UnreadableFile,
    header_names,
    json_text,
    repaired,
    text_table,
    without_nul_rows,
)

# Text that stands for no valid UTF-8: bytes decoded with surrogateescape (U+DC80..U+DCFF)
# or the lone surrogates a JSON escape can write (a valid pair decodes to one code point).
_INVALID_UTF8 = re.compile("[\ud800-\udfff]")
# A JSON escape of a surrogate code unit: where the file has none, json.loads yields none.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_BOM = b"\xef\xbb\xbf"
_NUL_ESCAPE = b"\\u0000"  # JSON's only way to write a NUL (a raw 0x00 byte is no valid JSON)


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
    return without_nul_rows(rows) if b"\x00" in data else rows  # one search in C; per row only if any


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
    rows = table.slice(1).rename_columns(header_names(header))
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
        columns = header_names(header)
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
                        json.dumps({"fields": [repaired(v) for v in record]}, ensure_ascii=False),
                    )
                )
            elif not clean and any(_INVALID_UTF8.search(v) for v in record):
                problems.append(
                    RowProblem(
                        row_number,
                        "not valid UTF-8",
                        json.dumps(
                            dict(zip(columns, map(repaired, record), strict=True)), ensure_ascii=False
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
    return RawRows(text_table(columns, values), np.array(numbers, dtype=np.int64), problems)


def read_csv_gz(data: bytes) -> RawRows:
    try:
        return read_csv(gzip.decompress(data))
    except (
        OSError,
        EOFError,
        zlib.error,
    ) as error:  # gzip.BadGzipFile is an OSError; a corrupt stream, zlib.error
        raise UnreadableFile(f"not a valid gzip file: {error}") from error


def _json_raw(value: dict) -> dict[str, str | None]:
    """An object's values as text under their cleaned keys, lone surrogates shown as U+FFFD."""
    return {
        repaired(key.strip().lower()): None if (text := json_text(v)) is None else repaired(text)
        for key, v in value.items()
    }


def _has_nul(value: dict) -> bool:
    """Whether an object has a NUL character in a key or a string value: text it would load
    as (a nested value loads as JSON text, where a NUL is written as an escape)."""
    return any(NUL in key or (v.__class__ is str and NUL in v) for key, v in value.items())


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
                        {"line": repaired(line.decode("utf-8", errors="replace"))}, ensure_ascii=False
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
                    json.dumps({"line": repaired(text)}, ensure_ascii=False),
                )
            )
            continue
        if not isinstance(value, dict):
            problems.append(
                RowProblem(
                    row_number,
                    f"not a JSON object: a JSON {type(value).__name__}",
                    json.dumps({"line": repaired(text)}, ensure_ascii=False),
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
            text_table(list(invalid_keys), [[] for _ in invalid_keys]),
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
        [v if v.__class__ is str or v is None else json_text(v) for v in (obj.get(key) for obj in objects)]
        for key in names
    ]
    return text_table(list(names.values()), values)


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
        yield from parquet_chunks(path, chunk_rows)
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
                yield without_nul_rows(chunk)
    except (OSError, EOFError, zlib.error) as error:
        if not compressed:
            raise UnreadableFile(f"cannot read file: {getattr(error, 'strerror', None) or error}") from error
        raise UnreadableFile(f"not a valid gzip file: {error}") from error


READERS = {"csv": read_csv, "csv.gz": read_csv_gz, "jsonl": read_jsonl, "parquet": read_parquet}


def read_rows(data: bytes, file_format: str) -> RawRows:
    return READERS[file_format](data)
