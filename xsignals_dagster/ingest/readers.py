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

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

_INVALID_UTF8 = re.compile("[\udc80-\udcff]")


class UnreadableFile(Exception):
    """The file as a whole cannot be read; the message is the quarantine reason."""


@dataclass
class RowProblem:
    row_number: int
    reason: str
    raw: str


@dataclass
class RawRows:
    """The readable records of a file: text values (None for empty), numbered from 1."""

    frame: pd.DataFrame
    row_numbers: list[int]
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.row_numbers) + len(self.problems)


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
    try:
        text = data.decode("utf-8")
        clean = True
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="surrogateescape")
        clean = False
    text = text.removeprefix("\ufeff")
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
    frame = pd.DataFrame(rows, columns=columns, dtype=object) if rows else pd.DataFrame(columns=columns, dtype=object)
    return RawRows(frame, numbers, problems)


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
    names: dict = {}  # each key's column name, cleaned once
    row_number = 0
    for line in data.removeprefix(b"\xef\xbb\xbf").split(b"\n"):
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
        objects.append({names.get(k) or names.setdefault(k, str(k).strip().lower()): v if type(v) is str else _json_text(v) for k, v in value.items()})
        numbers.append(row_number)
    if row_number and not objects:
        raise UnreadableFile("not JSON lines: no line is a JSON object")
    columns = list(dict.fromkeys(key for obj in objects for key in obj))
    frame = pd.DataFrame.from_records(objects, columns=columns) if objects else pd.DataFrame(columns=columns)
    return RawRows(frame.astype(object).where(frame.notna(), None), numbers, problems)


def _parquet_text(column: pa.ChunkedArray) -> list[str | None]:
    if pa.types.is_timestamp(column.type):
        series = column.to_pandas()
        if series.dt.tz is None:
            series = series.dt.tz_localize("UTC")
        return [None if pd.isna(v) else v.isoformat() for v in series]
    if pa.types.is_date(column.type):
        return [None if v is None else v.isoformat() for v in column.to_pylist()]
    return [_json_text(v) for v in column.to_pylist()]


def read_parquet(data: bytes) -> RawRows:
    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError, ValueError) as error:
        raise UnreadableFile(f"not a readable parquet file: {error}") from error
    columns = _header_names(table.column_names)
    frame = pd.DataFrame({name: _parquet_text(table.column(i)) for i, name in enumerate(columns)}, dtype=object)
    return RawRows(frame, list(range(1, table.num_rows + 1)))


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
