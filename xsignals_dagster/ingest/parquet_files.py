"""Parquet files as rows of text values: typed columns shown as the text a CSV would hold."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from xsignals_dagster.ingest.raw_rows import (
    RawRows,
    RowProblem,
    UnreadableFile,
    header_names,
    json_text,
    repaired,
    without_nul_rows,
)


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
    return pa.array([json_text(v) for v in column.to_pylist()], pa.string())


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
        text = json_text(value.as_py())
        return None if text is None else repaired(text)
    except UnicodeDecodeError:
        while isinstance(value, pa.DictionaryScalar):
            value = value.value
        if isinstance(value, pa.StringScalar | pa.LargeStringScalar):
            return repaired(value.as_buffer().to_pybytes().decode("utf-8", errors="replace"))
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
    return without_nul_rows(rows)


def read_parquet(data: bytes) -> RawRows:
    try:
        table = pq.read_table(io.BytesIO(data))
        names = table.column_names
    except (pa.ArrowException, OSError, ValueError) as error:
        raise UnreadableFile(f"not a readable parquet file: {error}") from error
    return _parquet_chunk(table, header_names(names), 0)


def parquet_chunks(path: Path, chunk_rows: int) -> Iterator[RawRows]:
    try:
        file = pq.ParquetFile(path)
        columns = header_names(file.schema_arrow.names)
        offset = 0
        for batch in file.iter_batches(batch_size=chunk_rows):
            table = pa.Table.from_batches([batch])
            yield _parquet_chunk(table, columns, offset)
            offset += table.num_rows
        if not offset:
            yield _parquet_chunk(file.schema_arrow.empty_table(), columns, 0)
    except (pa.ArrowException, OSError, ValueError) as error:
        raise UnreadableFile(f"not a readable parquet file: {error}") from error
