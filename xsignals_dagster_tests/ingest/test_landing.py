"""The landing pattern: in-flight files are invisible, misfits are listed, order is by path."""

from __future__ import annotations

from xsignals_dagster.ingest.landing import LandedFile, scan
from xsignals_dagster_tests.ingest.landing_files import land


def test_scan_sorts_by_path_and_ignores_in_flight_files(landing):
    for path in [
        "web/2026-11-21.csv",
        "web/2026-11-20-b.jsonl",
        "web/2026-11-20-a.csv.gz",
        "web/.2026-11-20.csv",
        "web/_2026-11-20.csv",
        "web/2026-11-20.csv.tmp",
        "web/2026-11-20.csv.part",
        "web/2026-11-20.csv.crdownload",
        "_staging/2026-11-20.csv",
    ]:
        land(landing, path, "x")
    landed, misfits = scan(landing)
    assert [f.path for f in landed] == [
        "web/2026-11-20-a.csv.gz",
        "web/2026-11-20-b.jsonl",
        "web/2026-11-21.csv",
    ]
    assert [f.format for f in landed] == ["csv.gz", "jsonl", "csv"]
    assert all(isinstance(f, LandedFile) and f.source == "web" for f in landed)
    assert misfits == []


def test_files_that_do_not_fit_the_pattern_are_misfits_with_reasons(landing):
    for path in [
        "clicks/2026-11-20.csv",
        "web/latest.csv",
        "web/2026-11-20.xlsx",
        "web/2026-13-40.csv",
        "web/archive/2026-11-20.csv",
        "2026-11-20.csv",
    ]:
        land(landing, path, "x")
    landed, misfits = scan(landing)
    assert landed == []
    reasons = {m.path: m.reason for m in misfits}
    assert reasons["clicks/2026-11-20.csv"].startswith("unknown source folder 'clicks'")
    assert reasons["web/latest.csv"].startswith("name does not fit")
    assert reasons["web/2026-11-20.xlsx"].startswith("name does not fit")
    assert reasons["web/2026-13-40.csv"] == "'2026-13-40' is not a valid date"
    assert reasons["web/archive/2026-11-20.csv"].startswith("nested folder")
    assert reasons["2026-11-20.csv"] == "not inside a source folder"
