"""Landing files: how each source is written (format, keys, timestamp styles, the defects it may carry),
and the daily extract files themselves, landed by atomic rename.

The sources' columns, keys and rules come from contract/sources.py, so the files follow the description
the pipeline validates them by; a few rows are broken on purpose.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from xsignals_dagster.contract.sources import SOURCES as SOURCE_SCHEMAS
from xsignals_dagster.contract.sources import SourceSchema, column_kind
from xsignals_dagster.demo.draws import numbered, pick, rank_within, replaced, zero_padded
from xsignals_dagster.demo.typos import misspell
from xsignals_dagster.demo.world import Calendar


@dataclass(frozen=True)
class Source:
    """How the generator writes one landing source; its columns, key and rules are those of
    contract/sources.py, so the files follow the description the pipeline validates them by."""

    name: str
    ext: str
    key_prefix: str | None  # sequential keys are numbered by the writer; None: the builder sets them
    ts_styles: tuple[tuple[str, float], ...] = (("T", 1.0),)
    defects: tuple[str, ...] = ()  # kinds of bad rows it may carry

    @property
    def schema(self) -> SourceSchema:
        return SOURCE_SCHEMAS[self.name]

    @property
    def key(self) -> tuple[str, ...]:
        return self.schema.key

    @property
    def columns(self) -> tuple[str, ...]:
        return self.schema.columns

    @property
    def required(self) -> tuple[tuple[str, ...], ...]:
        """Besides the key, groups of columns that each need one value (what `missing_required` empties)."""
        any_of = (self.schema.required_any,) if self.schema.required_any else ()
        return tuple((column,) for column in self.schema.required) + any_of

    @property
    def timestamps(self) -> tuple[str, ...]:
        return tuple(column for column in self.columns if column_kind(column) == "timestamp")

    @property
    def enum_column(self) -> str | None:
        """The enumeration a `bad_enum` defect breaks: the source's first."""
        return next(iter(self.schema.enums), None)


EVENT_DEFECTS = ("malformed_timestamp", "bad_enum", "missing_required", "duplicate_key")
SOURCES = (
    Source(
        name="web",
        ext="csv",
        key_prefix="web-",
        ts_styles=(("T_millis", 0.5), ("T", 0.3), ("T_utc", 0.1), ("local", 0.1)),
        defects=EVENT_DEFECTS,
    ),
    Source(
        name="app",
        ext="jsonl",
        key_prefix="app-",
        ts_styles=(("T_utc", 0.6), ("T", 0.3), ("local", 0.1)),
        defects=EVENT_DEFECTS,
    ),
    Source(
        name="store",
        ext="parquet",
        key_prefix="si-",
        defects=("bad_enum", "missing_required", "duplicate_key"),  # ts is a typed timestamp here
    ),
    Source(
        name="pos",
        ext="csv",
        key_prefix=None,
        ts_styles=(("local_space", 0.7), ("space", 0.3)),
        defects=("malformed_timestamp", "missing_required", "duplicate_key"),
    ),
    Source(
        name="loyalty",
        ext="csv",
        key_prefix=None,
        ts_styles=(("space", 0.8), ("T", 0.2)),
        defects=("malformed_timestamp",),  # keys and profiles stay intact: they carry identity
    ),
    Source(
        name="accounts",
        ext="csv",
        key_prefix=None,
        ts_styles=(("T", 0.7), ("T_utc", 0.3)),
        defects=("malformed_timestamp",),
    ),
    Source(
        name="email",
        ext="csv.gz",
        key_prefix="em-",
        ts_styles=(("T_utc", 0.5), ("T", 0.5)),
        defects=EVENT_DEFECTS,
    ),
    Source(
        name="service",
        ext="csv",
        key_prefix="cs-",
        ts_styles=(("space", 0.6), ("local_space", 0.4)),
        defects=EVENT_DEFECTS,
    ),
    Source(name="preferences", ext="csv", key_prefix="pref-", defects=EVENT_DEFECTS),
    Source(
        name="erasure", ext="csv", key_prefix="er-"
    ),  # no defects: a handful of requests, each one matters
)


def format_timestamps(
    utc: np.ndarray, offset: np.ndarray, style: np.ndarray, millis: np.ndarray
) -> np.ndarray:
    """ISO 8601 text: UTC with T or space, with or without milliseconds or +00:00, or local time
    with its offset."""
    local = np.isin(style, ("local", "local_space"))
    text = np.datetime_as_string((utc + np.where(local, offset * 3600, 0)).astype("datetime64[s]"), unit="s")
    text = np.where(np.isin(style, ("space", "local_space")), replaced(text, "T", " "), text)
    offsets = np.array([f"{hours:+03d}:00" for hours in range(-12, 15)])
    suffix = np.select(
        [style == "T_millis", style == "T_utc", local],
        [
            np.strings.add(".", zero_padded(millis.astype(str), 3)),
            np.full(len(utc), "+00:00"),
            offsets[offset + 12],
        ],
        "",
    )
    return np.strings.add(text, suffix)


def mangled_timestamp(text: str, how: float) -> str:
    if how < 1 / 3:
        return f"{text[8:10]}/{text[5:7]}/{text[:4]} {text[11:16]}"
    if how < 2 / 3:
        return text[:11] + "25" + text[13:19]
    return "not-a-date"


def misnamed(value: str | None, how: np.ndarray) -> str:
    """An enumeration value slightly off ("page view", a typo) or made up."""
    if value and how[0] < 0.6:
        return value.replace("_", " ") if "_" in value and how[0] < 0.3 else misspell(value, *how[1:])
    return "unknown"


def add_defects(
    rng: np.random.Generator, source: Source, frame: pd.DataFrame, row_number: np.ndarray, rate: float
) -> np.ndarray:
    """Corrupt about `rate` of the rows in place; return each row's defect kind ('' when clean)."""
    kinds = np.full(len(frame), "", dtype=object)
    if not source.defects or rate <= 0:
        return kinds
    hit = np.flatnonzero(rng.random(len(frame)) < rate)
    kind = np.array(source.defects, dtype=object)[rng.integers(0, len(source.defects), len(hit))]
    copied = hit - 1 - (rng.random(len(hit)) * np.maximum(row_number[hit] - 1, 0)).astype(int)
    can_copy = (row_number[hit] > 1) & ~np.isin(copied, hit)  # a clean, earlier row of the same file
    kind = np.where((kind == "duplicate_key") & ~can_copy, "missing_required", kind)
    kinds[hit] = kind
    how = rng.random((len(hit), 4))
    for defect in sorted(set(kind)):
        chosen = kind == defect
        rows, why = hit[chosen], how[chosen]
        if defect == "malformed_timestamp":
            column = source.timestamps[0]
            frame.loc[rows, column] = [
                mangled_timestamp(text, u[0])
                for text, u in zip(frame[column].to_numpy()[rows], why, strict=False)
            ]
        elif defect == "bad_enum":
            column = source.enum_column
            frame.loc[rows, column] = [
                misnamed(value, u) for value, u in zip(frame[column].to_numpy()[rows], why, strict=False)
            ]
        elif defect == "missing_required":
            group = (why[:, 0] * len(source.required)).astype(int)
            for g, columns in enumerate(source.required):
                frame.loc[rows[group == g], list(columns)] = None
        else:
            for column in frame.columns:
                values = frame[column].to_numpy().copy()
                values[rows] = values[copied[chosen]]
                frame[column] = values
    return kinds


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")


def write_csv_gz(frame: pd.DataFrame, path: Path) -> None:
    path.write_bytes(gzip.compress(frame.to_csv(index=False, lineterminator="\n").encode("utf-8"), mtime=0))


def write_jsonl(frame: pd.DataFrame, path: Path) -> None:
    frame.to_json(path, orient="records", lines=True, force_ascii=False)


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    schema = pa.schema(
        [
            (
                column,
                pa.timestamp("us", tz="UTC")
                if isinstance(frame[column].dtype, pd.DatetimeTZDtype)
                else pa.string(),
            )
            for column in frame.columns
        ]
    )
    pq.write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False), path)


WRITERS = {"csv": write_csv, "csv.gz": write_csv_gz, "jsonl": write_jsonl, "parquet": write_parquet}


@dataclass(frozen=True)
class Landed:
    files: int
    rows: int
    records: pd.DataFrame  # source, record_key, person_id of every clean row
    bad_rows: pd.DataFrame  # source, path, row_number, kind


def land(
    rng: np.random.Generator,
    source: Source,
    frame: pd.DataFrame,
    cal: Calendar,
    landing: Path,
    person_ids: np.ndarray,
    bad_row_rate: float,
) -> Landed:
    """Sort, key, format and corrupt one source's rows, then write them as daily files (landed by
    atomic rename)."""
    n = len(frame)
    suffix = frame["_file"].to_numpy().astype(str) if "_file" in frame else np.full(n, "")
    day = frame["_day"].to_numpy()
    order = np.lexsort(
        (
            frame["_person"].to_numpy(),
            frame[source.timestamps[0]].to_numpy(),
            np.unique(suffix, return_inverse=True)[1],
            day,
        )
    )
    frame = frame.iloc[order].reset_index(drop=True)
    suffix, day = suffix[order], day[order]
    if source.key_prefix:
        frame[source.key[0]] = numbered(source.key_prefix, np.arange(1, n + 1), 9)
    name = np.strings.add(np.strings.add(cal.dates(day), suffix), "." + source.ext)
    row_number = rank_within(name) + 1

    style = np.array([style for style, _ in source.ts_styles])[
        pick(rng, [share for _, share in source.ts_styles], n)
    ]
    millis = rng.integers(0, 1000, n)
    offset = frame["_offset"].to_numpy()
    for column in source.timestamps:
        utc = frame[column].to_numpy().astype(np.int64)
        frame[column] = (
            pd.to_datetime(utc, unit="s", utc=True).astype("datetime64[us, UTC]")
            if source.ext == "parquet"
            else format_timestamps(utc, offset, style, millis)
        )
    table = frame.reindex(columns=list(source.columns)).astype(
        {
            column: object
            for column in source.columns
            if column not in source.timestamps or source.ext != "parquet"
        }
    )
    defect = add_defects(rng, source, table, row_number, bad_row_rate)

    clean = defect == ""
    key = table[source.key[0]].to_numpy().astype(str)
    if len(source.key) == 2:
        key = np.strings.add(np.strings.add(key, ":"), table[source.key[1]].to_numpy().astype(str))
    person = frame["_person"].to_numpy()
    records = pd.DataFrame(
        {"source": source.name, "record_key": key[clean], "person_id": person_ids[person[clean]]}
    )
    bad = np.flatnonzero(~clean)
    bad_rows = pd.DataFrame(
        {
            "source": source.name,
            "path": np.strings.add(f"{source.name}/", name[bad]),
            "row_number": row_number[bad],
            "kind": defect[bad],
        }
    )

    folder = landing / source.name
    folder.mkdir(parents=True, exist_ok=True)
    starts = np.flatnonzero(row_number == 1)
    files = [(str(name[begin]), begin, end) for begin, end in zip(starts, np.r_[starts[1:], n], strict=False)]
    if not files and source.ext != "jsonl":
        # A source without a single row (possible in a small zone) still lands one header-only file, dated
        # the first day, so that every source shows up; days without rows land no file. JSON lines have no
        # header (an empty file would be quarantined for missing columns), so an empty app source lands none.
        files = [(f"{cal.dates(0)}.{source.ext}", 0, 0)]
    for file_name, begin, end in files:
        in_flight = folder / f".{file_name}.tmp"
        WRITERS[source.ext](table.iloc[begin:end], in_flight)
        os.replace(in_flight, folder / file_name)
    return Landed(files=len(files), rows=n, records=records, bad_rows=bad_rows)
