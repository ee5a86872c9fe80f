"""Ingest the files of one source for some extract dates into the warehouse.

Per file: identical bytes seen before change nothing, an unreadable file is
quarantined, every other file's rows are validated; then each extract date's results
replace what that date loaded before, in one transaction. Files are processed in path
order, and a file that turns out to come before one already loaded (a late delivery for
an earlier date) re-ingests the later dates it takes keys or bytes from.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from xsignals_dagster.ingest.landing import LandedFile, source_files
from xsignals_dagster.ingest.readers import RawRows, UnreadableFile, read_rows
from xsignals_dagster.ingest.schema import SOURCES, SourceSchema
from xsignals_dagster.ingest.validate import ValidatedRows, key_strings, validate
from xsignals_dagster.privacy.suppression import Suppression
from xsignals_dagster.warehouse import WarehouseStore
from xsignals_dagster.warehouse.store import utc_now
from xsignals_dagster.warehouse.tables import (
    BOOKKEEPING_TABLES,
    STAGING_TABLES,
    blanked_values,
    ingested_files,
    quarantined_files,
    rejected_rows,
)

log = logging.getLogger("xsignals.ingest")

BATCH_BYTES = 64 * 1024 * 1024


@dataclass
class FileOutcome:
    path: str
    status: str  # loaded | duplicate | quarantined
    sha256: str = ""
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    values_blanked: int = 0
    reason: str | None = None


@dataclass
class PartitionOutcome:
    source: str
    extract_date: str
    files: list[FileOutcome] = field(default_factory=list)

    def total(self, attribute: str) -> int:
        return sum(getattr(f, attribute) for f in self.files)

    def count(self, status: str) -> int:
        return sum(f.status == status for f in self.files)


def _check_header(rows: RawRows, schema: SourceSchema) -> None:
    missing = [c for c in schema.header_required if c not in rows.columns]
    if schema.required_any and not any(c in rows.columns for c in schema.required_any):
        missing.append(" or ".join(schema.required_any))
    if missing:
        raise UnreadableFile(f"required column(s) missing: {', '.join(missing)}")


@dataclass
class _SourceState:
    """What other extract dates of the source hold: keys and file contents, by path."""

    keys: dict[str, str] | None
    sha_paths: dict[str, str]


def _other_dates_state(store: WarehouseStore, schema: SourceSchema, dates: list[str]) -> _SourceState:
    staging = STAGING_TABLES[schema.name]
    keys = None
    if not schema.roster:
        frame = store.query(
            sa.select(*(staging.c[k] for k in schema.key), staging.c.source_path).where(
                staging.c.extract_date.not_in(dates)
            )
        )
        keys = dict(zip(key_strings(frame, schema.key), frame["source_path"], strict=True))
    files = store.query(
        sa.select(ingested_files.c.sha256, ingested_files.c.path).where(
            (ingested_files.c.source == schema.name)
            & ingested_files.c.extract_date.not_in(dates)
            & ingested_files.c.duplicate_of.is_(None)
        )
    ).sort_values("path", ascending=False)
    return _SourceState(keys, dict(zip(files["sha256"], files["path"], strict=True)))


def ingest_source(
    store: WarehouseStore,
    landing_root: Path,
    source: str,
    extract_dates: list[str],
    region: str,
    logger: logging.Logger | None = None,
) -> list[PartitionOutcome]:
    """Ingest `source` for `extract_dates`, replacing what those dates loaded before."""
    logger = logger or log
    schema = SOURCES[source]
    dates = sorted(set(extract_dates))
    store.ensure_tables(STAGING_TABLES[source], *BOOKKEEPING_TABLES)
    state = _other_dates_state(store, schema, dates)
    suppression = Suppression.load(store)
    outcomes: list[PartitionOutcome] = []
    later_paths: set[str] = set()
    for batch in _batches(landing_root, source, dates):
        batch_outcomes: list[PartitionOutcome] = []
        readable: list[tuple[str, RawRows]] = []
        for extract_date, files in batch:
            outcome = PartitionOutcome(source, extract_date)
            for file in files:
                file_outcome, rows = _read_file(file, schema, state, later_paths)
                outcome.files.append(file_outcome)
                if rows is not None:
                    readable.append((file.path, rows))
            batch_outcomes.append(outcome)
        validated = validate(readable, schema, region, state.keys, None if schema.hashed_identifiers else suppression)
        if schema.hashed_identifiers:
            validated.loaded = suppression.hashed(validated.loaded)
        later_paths |= validated.later_paths
        _count_rows(batch_outcomes, validated)
        for outcome in batch_outcomes:
            for f in outcome.files:
                logger.info(
                    "%s: %s, %d read, %d loaded, %d rejected%s",
                    f.path, f.status, f.rows_read, f.rows_loaded, f.rows_rejected, f" ({f.reason})" if f.reason else "",
                )
        _write_dates(store, schema, batch_outcomes, validated)
        outcomes += batch_outcomes
    redo = sorted({path.split("/")[1][:10] for path in later_paths} - set(dates))
    if redo:
        logger.info("%s: re-ingesting later dates %s whose keys or bytes an earlier file now owns", source, redo)
        outcomes += ingest_source(store, landing_root, source, redo, region, logger)
    return outcomes


def _read_file(
    file: LandedFile, schema: SourceSchema, state: _SourceState, later_paths: set[str]
) -> tuple[FileOutcome, RawRows | None]:
    """Read one file, unless it is unreadable (quarantined) or a byte-copy of an earlier one."""
    try:
        data = file.absolute.read_bytes()
    except OSError as error:
        return FileOutcome(file.path, "quarantined", reason=f"cannot read file: {error.strerror or error}"), None
    sha = hashlib.sha256(data).hexdigest()
    holder = state.sha_paths.get(sha)
    if holder is not None and holder < file.path:
        return FileOutcome(file.path, "duplicate", sha, reason=f"same bytes as {holder}"), None
    if holder is not None:
        later_paths.add(holder)
    state.sha_paths[sha] = file.path
    try:
        rows = read_rows(data, file.format)
        _check_header(rows, schema)
    except UnreadableFile as error:  # a reason quoting the file (a parser's message) shows a NUL as U+FFFD
        return FileOutcome(file.path, "quarantined", sha, reason=str(error).replace("\x00", "\ufffd")), None
    return FileOutcome(file.path, "loaded", sha, rows_read=rows.rows_read), rows


def _count_rows(outcomes: list[PartitionOutcome], validated: ValidatedRows) -> None:
    """Per-file counts of loaded, rejected and blanked (rows read = loaded + rejected)."""
    loaded = validated.loaded["source_path"].value_counts()
    rejected = validated.rejected["path"].value_counts()
    blanked = validated.blanked.groupby("path")["count"].sum()
    for f in [f for outcome in outcomes for f in outcome.files]:
        if f.status == "loaded":
            f.rows_loaded = int(loaded.get(f.path, 0))
            f.rows_rejected = int(rejected.get(f.path, 0))
            f.values_blanked = int(blanked.get(f.path, 0))


def _batches(landing_root: Path, source: str, dates: list[str]):
    """Consecutive extract dates with their files, grouped up to BATCH_BYTES of files: one
    validation pass and one transaction per group rather than per date, since pandas'
    fixed cost per pass dominates when a source lands many small files."""
    by_date: dict[str, list[LandedFile]] = {extract_date: [] for extract_date in dates}
    for file in source_files(landing_root, source, set(dates)):
        by_date[file.extract_date].append(file)
    batch: list[tuple[str, list[LandedFile]]] = []
    size = 0
    for extract_date, files in by_date.items():
        size += sum(f.absolute.stat().st_size for f in files if f.absolute.exists())
        batch.append((extract_date, files))
        if size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _write_dates(store: WarehouseStore, schema: SourceSchema, outcomes: list[PartitionOutcome], validated: ValidatedRows) -> None:
    """Replace everything these extract dates of the source loaded before, in one transaction."""
    now = utc_now()
    dates = [o.extract_date for o in outcomes]
    date_of = {f.path: o.extract_date for o in outcomes for f in o.files}
    files = pd.DataFrame(
        [
            {
                "path": f.path,
                "sha256": f.sha256,
                "rows_read": f.rows_read,
                "rows_loaded": f.rows_loaded,
                "rows_rejected": f.rows_rejected,
                "ingested_at": now,
                "values_blanked": f.values_blanked,
                "duplicate_of": f.reason.removeprefix("same bytes as ") if f.status == "duplicate" else None,
            }
            for o in outcomes
            for f in o.files
            if f.status != "quarantined"
        ]
    )
    quarantined = pd.DataFrame(
        [
            {"path": f.path, "reason": f.reason, "quarantined_at": now, "sha256": f.sha256 or None}
            for o in outcomes
            for f in o.files
            if f.status == "quarantined"
        ]
    )
    with store.transaction() as tx:
        loaded = validated.loaded
        loaded["extract_date"] = loaded["source_path"].map(date_of)  # in place: assign() would copy every column
        tx.replace(STAGING_TABLES[schema.name], loaded, {"extract_date": dates})
        for table, frame in (
            (rejected_rows, validated.rejected),
            (blanked_values, validated.blanked),
            (ingested_files, files),
            (quarantined_files, quarantined),
        ):
            dated = frame.assign(source=schema.name, extract_date=frame["path"].map(date_of)) if len(frame) else frame
            tx.replace(table, dated, {"source": schema.name, "extract_date": dates})
