"""Which landed files still need ingesting: the warehouse, not a cursor, is the truth.

A file needs ingesting when its (path, sha256) is in neither `ingested_files` nor
`quarantined_files`. Hashes are cached by (size, mtime) so a tick re-reads only files
that changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from xsignals_dagster.contract.tables import ingested_files, quarantined_files
from xsignals_dagster.ingest.landing import LandedFile
from xsignals_dagster.warehouse import WarehouseStore


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int
    sha256: str


def file_states(files: Iterable[LandedFile], cache: Mapping[str, FileState]) -> dict[str, FileState]:
    """The current state of each file, hashing only files whose size or mtime changed."""
    states = {}
    for file in files:
        try:
            stat = file.absolute.stat()
        except FileNotFoundError:
            continue  # renamed or removed since the scan
        cached = cache.get(file.path)
        if cached and (cached.size, cached.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            states[file.path] = cached
            continue
        states[file.path] = FileState(
            stat.st_size, stat.st_mtime_ns, hashlib.sha256(file.absolute.read_bytes()).hexdigest()
        )
    return states


def processed_files(store: WarehouseStore) -> set[tuple[str, str]]:
    """(path, sha256) of every file the warehouse has ingested or quarantined."""
    processed: set[tuple[str, str]] = set()
    for table in (ingested_files, quarantined_files):
        if store.has_table(table.name):
            rows = store.query(sa.select(table.c.path, table.c.sha256).where(table.c.sha256.is_not(None)))
            processed.update(zip(rows["path"], rows["sha256"], strict=True))
    return processed


def pending_by_source(
    files: Iterable[LandedFile], states: Mapping[str, FileState], processed: set[tuple[str, str]]
) -> dict[str, list[LandedFile]]:
    """New or changed files, grouped by source, in path order."""
    pending: dict[str, list[LandedFile]] = {}
    for file in files:
        state = states.get(file.path)
        if state is not None and (file.path, state.sha256) not in processed:
            pending.setdefault(file.source, []).append(file)
    return pending
