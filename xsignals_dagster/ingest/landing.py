"""The landing zone: which files exist, which are in flight, which do not fit the pattern."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from xsignals_dagster.contract.sources import SOURCES

_IN_FLIGHT_SUFFIXES = (".tmp", ".part", ".crdownload")
_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2}).*\.(csv\.gz|csv|parquet|jsonl)$")


@dataclass(frozen=True)
class LandedFile:
    """A file that fits `<source>/<YYYY-MM-DD>[<anything>].<ext>`."""

    source: str
    path: str  # relative to the landing root, `/` separators
    extract_date: str
    format: str
    absolute: Path


@dataclass(frozen=True)
class Misfit:
    """A file that does not fit the landing pattern: never read, listed with its reason."""

    source: str | None
    path: str
    reason: str


def is_in_flight(name: str) -> bool:
    """Names writers use before their atomic rename; such files are not there yet."""
    return name.startswith((".", "_")) or name.endswith(_IN_FLIGHT_SUFFIXES)


def classify(root: Path, file: Path) -> LandedFile | Misfit | None:
    """What one file under the landing root is; None for an in-flight file."""
    relative = file.relative_to(root)
    parts = relative.parts
    if any(is_in_flight(part) for part in parts):
        return None
    path = relative.as_posix()
    if len(parts) == 1:
        return Misfit(None, path, "not inside a source folder")
    source = parts[0]
    if source not in SOURCES:
        return Misfit(
            source, path, f"unknown source folder '{source}' (expected one of: {', '.join(SOURCES)})"
        )
    if len(parts) > 2:
        return Misfit(source, path, "nested folder: files must lie directly in the source folder")
    match = _NAME.match(parts[1])
    if match is None:
        return Misfit(
            source,
            path,
            "name does not fit <YYYY-MM-DD>[<anything>].<ext> with ext csv, csv.gz, parquet or jsonl",
        )
    try:
        dt.date.fromisoformat(match.group(1))
    except ValueError:
        return Misfit(source, path, f"'{match.group(1)}' is not a valid date")
    return LandedFile(source, path, match.group(1), match.group(2), file)


def scan(root: Path) -> tuple[list[LandedFile], list[Misfit]]:
    """Every file under the landing root, sorted by path (so by extract date within a source)."""
    landed: list[LandedFile] = []
    misfits: list[Misfit] = []
    if not root.is_dir():
        return landed, misfits
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        kind = classify(root, file)
        if isinstance(kind, LandedFile):
            landed.append(kind)
        elif isinstance(kind, Misfit):
            misfits.append(kind)
    landed.sort(key=lambda f: f.path)
    misfits.sort(key=lambda m: m.path)
    return landed, misfits


def source_files(root: Path, source: str, extract_dates: set[str] | None = None) -> list[LandedFile]:
    """The readable files of one source, in path order, optionally only of some dates."""
    folder = root / source
    if not folder.is_dir():
        return []
    files = [
        kind for p in folder.iterdir() if p.is_file() and isinstance(kind := classify(root, p), LandedFile)
    ]
    if extract_dates is not None:
        files = [f for f in files if f.extract_date in extract_dates]
    return sorted(files, key=lambda f: f.path)
