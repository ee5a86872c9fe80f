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

from xsignals_dagster.contract.sources import SOURCES, SourceSchema
from xsignals_dagster.contract.tables import (
    BOOKKEEPING_TABLES,
    STAGING_TABLES,
    blanked_values,
    ingested_files,
    quarantined_files,
    rejected_rows,
)
from xsignals_dagster.ingest.landing import LandedFile, source_files
from xsignals_dagster.ingest.raw_rows import RawRows, UnreadableFile
from xsignals_dagster.ingest.readers import read_chunks, read_rows
from xsignals_dagster.ingest.suppression import Suppression
from xsignals_dagster.ingest.validate import key_strings, validate
from xsignals_dagster.warehouse import WarehouseStore
from xsignals_dagster.warehouse.store import utc_now

log = logging.getLogger("xsignals.ingest")

BATCH_BYTES = 64 * 1024 * 1024
# Files up to this size are read whole; bigger ones CHUNK_ROWS records at a time.
STREAM_BYTES = 32 * 1024 * 1024
CHUNK_ROWS = 200_000


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


def _check_header(columns: list[str], schema: SourceSchema) -> None:
    missing = [c for c in schema.header_required if c not in columns]
    if schema.required_any and not any(c in columns for c in schema.required_any):
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
    skip_unchanged: bool = False,
) -> list[PartitionOutcome]:
    """Ingest `source` for `extract_dates`, replacing what those dates loaded before.

    With `skip_unchanged`, a date whose landed files are exactly those it loaded (same paths,
    same bytes) is left as it is: `xsignals run` re-runs every date, and reading them again
    would judge old rows by today's suppression list, so a re-run after an erasure would log
    rejections a first run never saw. Dates redone for a changed earlier date are always read.
    """
    logger = logger or log
    schema = SOURCES[source]
    dates = sorted(set(extract_dates))
    if skip_unchanged and store.has_table(ingested_files.name):
        unchanged = set(unchanged_dates(store, landing_root, source, dates))
        if unchanged:
            logger.info(
                "%s: %d extract date(s) unchanged since they loaded, left as they are", source, len(unchanged)
            )
        dates = [d for d in dates if d not in unchanged]
    store.ensure_tables(STAGING_TABLES[source], *BOOKKEEPING_TABLES)
    state = _other_dates_state(store, schema, dates)
    suppression = Suppression.load(store)
    outcomes: list[PartitionOutcome] = []
    later_paths: set[str] = set()
    for batch in _batches(landing_root, source, dates):
        with store.transaction() as tx:
            writer = _BatchWriter(tx, schema, region, state, suppression, batch)
            for outcome, files in zip(writer.outcomes, (files for _, files in batch), strict=True):
                for file in files:
                    outcome.files.append(writer.add(file))
            writer.finish()
        later_paths |= writer.later_paths
        for outcome in writer.outcomes:
            for f in outcome.files:
                logger.info(
                    "%s: %s, %d read, %d loaded, %d rejected%s",
                    f.path,
                    f.status,
                    f.rows_read,
                    f.rows_loaded,
                    f.rows_rejected,
                    f" ({f.reason})" if f.reason else "",
                )
        outcomes += writer.outcomes
    redo = sorted({path.split("/")[1][:10] for path in later_paths} - set(dates))
    if redo:
        logger.info(
            "%s: re-ingesting later dates %s whose keys or bytes an earlier file now owns", source, redo
        )
        outcomes += ingest_source(store, landing_root, source, redo, region, logger)
    return outcomes


def unchanged_dates(store: WarehouseStore, landing_root: Path, source: str, dates: list[str]) -> list[str]:
    """The dates whose landed files are the ones recorded as loaded for them, byte for byte."""
    recorded = store.query(
        sa.select(ingested_files.c.extract_date, ingested_files.c.path, ingested_files.c.sha256).where(
            (ingested_files.c.source == source) & ingested_files.c.extract_date.in_(dates)
        )
    )
    loaded: dict[str, set[tuple[str, str]]] = {}
    for extract_date, path, sha in recorded.itertuples(index=False):
        loaded.setdefault(str(extract_date), set()).add((path, sha))
    landed: dict[str, set[tuple[str, str]]] = {}
    for file in source_files(landing_root, source, set(loaded)):
        landed.setdefault(file.extract_date, set()).add((file.path, _sha256(file.absolute)))
    return [d for d in dates if d in loaded and landed.get(d) == loaded[d]]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class _BatchWriter:
    """Writes the files of some extract dates inside one open transaction, which replaces
    everything those dates loaded before: nothing is visible until all of it is written.

    Small files are read whole and validated together (pandas' fixed cost per pass
    dominates when a source lands many small files); a file over STREAM_BYTES is read,
    validated and written CHUNK_ROWS records at a time, so memory does not grow with its
    size, inside a savepoint that takes its rows back if it turns out unreadable halfway."""

    def __init__(
        self, tx, schema: SourceSchema, region: str, state: _SourceState, suppression: Suppression, batch
    ) -> None:
        self.tx, self.schema, self.region, self.state, self.suppression = (
            tx,
            schema,
            region,
            state,
            suppression,
        )
        self.outcomes = [PartitionOutcome(schema.name, extract_date) for extract_date, _ in batch]
        self.date_of = {file.path: extract_date for extract_date, files in batch for file in files}
        self.files: dict[str, FileOutcome] = {}
        self.pending: list[tuple[str, RawRows]] = []
        self.blanked: list[pd.DataFrame] = []
        self.later_paths: set[str] = set()
        dates = [outcome.extract_date for outcome in self.outcomes]
        tx.delete(STAGING_TABLES[schema.name], {"extract_date": dates})
        for table in BOOKKEEPING_TABLES:
            tx.delete(table, {"source": schema.name, "extract_date": dates})

    def add(self, file: LandedFile) -> FileOutcome:
        """Read, validate and write one file (in path order); its outcome."""
        try:
            sha = _sha256(file.absolute)
            size = file.absolute.stat().st_size
        except OSError as error:
            return self._file(
                FileOutcome(file.path, "quarantined", reason=f"cannot read file: {error.strerror or error}")
            )
        holder = self.state.sha_paths.get(sha)
        if holder is not None and holder < file.path:
            return self._file(FileOutcome(file.path, "duplicate", sha, reason=f"same bytes as {holder}"))
        if holder is not None:
            self.later_paths.add(holder)
        self.state.sha_paths[sha] = file.path
        outcome = self._file(FileOutcome(file.path, "loaded", sha))
        try:
            if size <= STREAM_BYTES:
                rows = read_rows(file.absolute.read_bytes(), file.format)
                _check_header(rows.columns, self.schema)
                outcome.rows_read = rows.rows_read
                self.pending.append((file.path, rows))
                if sum(r.table.num_rows for _, r in self.pending) >= CHUNK_ROWS:
                    self._flush()
            else:
                self._flush()
                self._stream(file, outcome)
        except (
            UnreadableFile,
            OSError,
        ) as error:  # a reason quoting the file (a parser's message) shows a NUL as U+FFFD
            reason = (
                str(error)
                if isinstance(error, UnreadableFile)
                else f"cannot read file: {error.strerror or error}"
            )
            outcome.status, outcome.reason = "quarantined", reason.replace("\x00", "\ufffd")
            outcome.rows_read = outcome.rows_loaded = outcome.rows_rejected = outcome.values_blanked = 0
        return outcome

    def _file(self, outcome: FileOutcome) -> FileOutcome:
        self.files[outcome.path] = outcome
        return outcome

    def _stream(self, file: LandedFile, outcome: FileOutcome) -> None:
        savepoint = self.tx.connection.begin_nested()
        try:
            columns: dict[str, None] = {}
            for chunk in read_chunks(file.absolute, file.format, CHUNK_ROWS):
                columns.update(dict.fromkeys(chunk.columns))
                if file.format != "jsonl":  # a fixed header: check it before writing anything
                    _check_header(list(columns), self.schema)
                outcome.rows_read += chunk.rows_read
                self.pending.append((file.path, chunk))
                self._flush()
            _check_header(list(columns), self.schema)
        except (UnreadableFile, OSError):
            savepoint.rollback()
            self.pending.clear()
            self.blanked = [frame[frame["path"] != file.path] for frame in self.blanked]
            if self.state.keys is not None:  # forget the keys it loaded
                for key in [k for k, path in self.state.keys.items() if path == file.path]:
                    del self.state.keys[key]
            raise
        savepoint.commit()

    def _flush(self) -> None:
        """Validate the pending rows in one pass and write them."""
        if not self.pending:
            return
        schema = self.schema
        validated = validate(
            self.pending,
            schema,
            self.region,
            self.state.keys,
            None if schema.hashed_identifiers else self.suppression,
        )
        self.pending = []
        if schema.hashed_identifiers:
            validated.loaded = self.suppression.hashed(validated.loaded)
        self.later_paths |= validated.later_paths
        for path, count in validated.loaded["source_path"].value_counts().items():
            self.files[path].rows_loaded += int(count)
        for path, count in validated.rejected["path"].value_counts().items():
            self.files[path].rows_rejected += int(count)
        loaded = validated.loaded
        loaded["extract_date"] = loaded["source_path"].map(
            self.date_of
        )  # in place: assign() would copy every column
        self.tx.insert(STAGING_TABLES[schema.name], loaded)
        self._insert(rejected_rows, validated.rejected)
        if len(validated.blanked):
            self.blanked.append(validated.blanked)

    def _insert(self, table: sa.Table, frame: pd.DataFrame) -> None:
        if len(frame):
            self.tx.insert(
                table, frame.assign(source=self.schema.name, extract_date=frame["path"].map(self.date_of))
            )

    def finish(self) -> None:
        """Write what is left and the bookkeeping of every file."""
        self._flush()
        blanked = (
            pd.concat(self.blanked).groupby(["path", "column"], as_index=False, sort=False)["count"].sum()
            if self.blanked
            else None
        )
        if blanked is not None:
            for path, count in blanked.groupby("path")["count"].sum().items():
                self.files[path].values_blanked = int(count)
            self._insert(blanked_values, blanked)
        now = utc_now()
        files = list(self.files.values())
        self._insert(
            ingested_files,
            pd.DataFrame(
                [
                    {
                        "path": f.path,
                        "sha256": f.sha256,
                        "rows_read": f.rows_read,
                        "rows_loaded": f.rows_loaded,
                        "rows_rejected": f.rows_rejected,
                        "ingested_at": now,
                        "values_blanked": f.values_blanked,
                        "duplicate_of": f.reason.removeprefix("same bytes as ")
                        if f.status == "duplicate"
                        else None,
                    }
                    for f in files
                    if f.status != "quarantined"
                ]
            ),
        )
        self._insert(
            quarantined_files,
            pd.DataFrame(
                [
                    {"path": f.path, "reason": f.reason, "quarantined_at": now, "sha256": f.sha256 or None}
                    for f in files
                    if f.status == "quarantined"
                ]
            ),
        )


def _batches(landing_root: Path, source: str, dates: list[str]):
    """Consecutive extract dates with their files, grouped up to BATCH_BYTES of files: one
    transaction per group rather than per date."""
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
