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
    missing = [c for c in schema.header_required if c not in rows.frame.columns]
    if schema.required_any and not any(c in rows.frame.columns for c in schema.required_any):
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
    for extract_date in dates:
        outcome = PartitionOutcome(source, extract_date)
        written: dict[str, list[pd.DataFrame]] = {"loaded": [], "rejected": [], "blanked": [], "files": [], "quarantined": []}
        for file in source_files(landing_root, source, {extract_date}):
            file_outcome, validated = _ingest_file(file, schema, region, state, later_paths, suppression)
            outcome.files.append(file_outcome)
            _collect(written, file, file_outcome, validated)
            logger.info(
                "%s: %s, %d read, %d loaded, %d rejected%s",
                file.path, file_outcome.status, file_outcome.rows_read, file_outcome.rows_loaded,
                file_outcome.rows_rejected, f" ({file_outcome.reason})" if file_outcome.reason else "",
            )
        _write_partition(store, schema, extract_date, written)
        outcomes.append(outcome)
    redo = sorted({path.split("/")[1][:10] for path in later_paths} - set(dates))
    if redo:
        logger.info("%s: re-ingesting later dates %s whose keys or bytes an earlier file now owns", source, redo)
        outcomes += ingest_source(store, landing_root, source, redo, region, logger)
    return outcomes


def _ingest_file(
    file: LandedFile,
    schema: SourceSchema,
    region: str,
    state: _SourceState,
    later_paths: set[str],
    suppression: Suppression,
) -> tuple[FileOutcome, ValidatedRows | None]:
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
    except UnreadableFile as error:
        return FileOutcome(file.path, "quarantined", sha, reason=str(error)), None
    validated = validate(rows, schema, region, file.path, state.keys, None if schema.hashed_identifiers else suppression)
    if schema.hashed_identifiers:
        validated.loaded = suppression.hashed(validated.loaded)
    later_paths |= validated.later_paths
    outcome = FileOutcome(
        file.path,
        "loaded",
        sha,
        rows_read=rows.rows_read,
        rows_loaded=len(validated.loaded),
        rows_rejected=len(validated.rejected),
        values_blanked=sum(validated.blanked.values()),
    )
    return outcome, validated


def _collect(written: dict[str, list[pd.DataFrame]], file: LandedFile, outcome: FileOutcome, validated: ValidatedRows | None) -> None:
    """Add one file's results to what its extract date will write."""
    now = utc_now()
    if outcome.status == "quarantined":
        written["quarantined"].append(
            pd.DataFrame(
                [{"source": file.source, "path": file.path, "reason": outcome.reason, "quarantined_at": now, "sha256": outcome.sha256 or None}]
            )
        )
        return
    written["files"].append(
        pd.DataFrame(
            [
                {
                    "source": file.source,
                    "path": file.path,
                    "sha256": outcome.sha256,
                    "rows_read": outcome.rows_read,
                    "rows_loaded": outcome.rows_loaded,
                    "rows_rejected": outcome.rows_rejected,
                    "ingested_at": now,
                    "values_blanked": outcome.values_blanked,
                    "duplicate_of": outcome.reason.removeprefix("same bytes as ") if outcome.status == "duplicate" else None,
                }
            ]
        )
    )
    if validated is None:
        return
    written["loaded"].append(validated.loaded.assign(source_path=file.path))
    written["rejected"].append(validated.rejected.assign(source=file.source, path=file.path))
    if validated.blanked:
        written["blanked"].append(
            pd.DataFrame(
                {"source": file.source, "path": file.path, "column": list(validated.blanked), "count": list(validated.blanked.values())}
            )
        )


def _write_partition(store: WarehouseStore, schema: SourceSchema, extract_date: str, written: dict[str, list[pd.DataFrame]]) -> None:
    """Replace everything this source's extract date loaded before, in one transaction."""

    def frame(name: str) -> pd.DataFrame:
        parts = [f for f in written[name] if not f.empty]
        return pd.concat(parts, ignore_index=True).assign(extract_date=extract_date) if parts else pd.DataFrame()

    this_date = {"source": schema.name, "extract_date": extract_date}
    with store.transaction() as tx:
        tx.replace(STAGING_TABLES[schema.name], frame("loaded"), {"extract_date": extract_date})
        tx.replace(rejected_rows, frame("rejected"), this_date)
        tx.replace(blanked_values, frame("blanked"), this_date)
        tx.replace(ingested_files, frame("files"), this_date)
        tx.replace(quarantined_files, frame("quarantined"), this_date)
