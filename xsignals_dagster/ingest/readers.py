"""Read a landed file into rows of text values, whatever its format.

A file that cannot be read as a whole raises `UnreadableFile`; a record that cannot be
read (invalid UTF-8, wrong field count, a JSON line that is no object) becomes a
`RowProblem` and the rest of the file still loads.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

_INVALID_UTF8 = re.compile("[\udc80-\udcff]")
_BOM = b"\xef\xbb\xbf"


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
    cleaned = [name.strip().lower() for name in names]
    if any(not name for name in cleaned):
        raise UnreadableFile("header has an empty column name")
    duplicated = sorted({name for name in cleaned if cleaned.count(name) > 1})
    if duplicated:
        raise UnreadableFile(f"header repeats column(s): {', '.join(duplicated)}")
    return cleaned


def _repaired(text: str) -> str:
    """Text decoded with surrogateescape, with undecodable bytes shown as U+FFFD."""
    return _INVALID_UTF8.sub("\ufffd", text)


def read_csv(data: bytes) -> RawRows:
    """pyarrow parses a clean file in C; the csv module reads any other record by record,
    so that a bad record is a `RowProblem` and not the whole file's failure."""
    data = data.removeprefix(_BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _read_csv_records(data.decode("utf-8", errors="surrogateescape"), clean=False)
    rows = _read_csv_arrow(data, text)
    return rows if rows is not None else _read_csv_records(text, clean=True)


def _read_csv_arrow(data: bytes, text: str) -> RawRows | None:
    """pyarrow's parse, or None where it could read the file otherwise than the csv module:
    a record whose field count is not the header's (pyarrow fails), a header the two read
    differently, a single column (the csv module skips a record `""`), or a field over the
    csv module's size limit (it rejects the file)."""
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
    limit = csv.field_size_limit()
    if len(data) > limit and any(pc.max(pc.binary_length(c)).as_py() > limit for c in table.columns):
        return None
    rows = table.slice(1).rename_columns(_header_names(header))
    return RawRows(rows, np.arange(1, rows.num_rows + 1))


def _read_csv_records(text: str, clean: bool) -> RawRows:
    try:
        records = csv.reader(io.StringIO(text, newline=""))
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
                    RowProblem(row_number, f"wrong number of fields: {len(record)}, header has {len(columns)}",
                               json.dumps({"fields": [_repaired(v) for v in record]}, ensure_ascii=False))
                )
            elif not clean and any(_INVALID_UTF8.search(v) for v in record):
                problems.append(
                    RowProblem(row_number, "not valid UTF-8",
                               json.dumps(dict(zip(columns, map(_repaired, record), strict=True)), ensure_ascii=False))
                )
            else:
                rows.append(record)
                numbers.append(row_number)
    except csv.Error as error:
        raise UnreadableFile(f"not valid CSV: {error}") from error
    values = [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in columns]
    return RawRows(_text_table(columns, values), np.array(numbers, dtype=np.int64), problems)


def read_csv_gz(data: bytes) -> RawRows:
    try:
        return read_csv(gzip.decompress(data))
    except (OSError, EOFError, gzip.BadGzipFile) as error:
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


def read_jsonl(data: bytes) -> RawRows:
    objects: list[dict] = []
    numbers: list[int] = []
    problems: list[RowProblem] = []
    row_number = 0
    for line in data.removeprefix(_BOM).split(b"\n"):
        if not line.strip():
            continue
        row_number += 1
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(RowProblem(row_number, "not valid UTF-8",
                                       json.dumps({"line": line.decode("utf-8", errors="replace")}, ensure_ascii=False)))
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            problems.append(RowProblem(row_number, f"not a JSON object: {error.msg}", json.dumps({"line": text}, ensure_ascii=False)))
            continue
        if not isinstance(value, dict):
            problems.append(RowProblem(row_number, f"not a JSON object: a JSON {type(value).__name__}",
                                       json.dumps({"line": text}, ensure_ascii=False)))
            continue
        objects.append(value)
        numbers.append(row_number)
    if row_number and not objects:
        raise UnreadableFile("not JSON lines: no line is a JSON object")
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
        [v if v.__class__ is str or v is None else _json_text(v) for v in (obj.get(key) for obj in objects)] for key in names
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


def read_parquet(data: bytes) -> RawRows:
    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError, ValueError) as error:
        raise UnreadableFile(f"not a readable parquet file: {error}") from error
    columns = _header_names(table.column_names)
    text = pa.Table.from_arrays([_parquet_text(c) for c in table.columns], names=columns)
    return RawRows(text, np.arange(1, table.num_rows + 1))


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
