"""Erasure cost: what the `erasures` asset spends per run, with and without new work.

    python benchmarks/erasure.py [--persons 20000] [--days 60] [--seed 1] [--keep DIR]
    python benchmarks/erasure.py --warehouse W.db --landing DIR/landing

Without ``--warehouse``, generates a zone (``generate(persons, days, seed)``, which lands
a few erasure requests) and runs every asset once through Dagster (``run_everything``)
into a SQLite warehouse; with it, starts from that warehouse (a copy: the given file is
never written) and the zone it was built from. Then times, on the copy, what the asset
calls (``process_erasures`` then ``find_erased``) in four runs:

1. ``first``: right after the pipeline, nothing new;
2. ``again``: nothing new since the previous run;
3. ``new day``: the zone's last web file re-ingested (its partition rewritten);
4. ``request``: a new erasure request for the person of one web cookie.

Each line prints the seconds of both calls, the requests processed, the rows removed per
table and the tables the check flagged (there should be none). Figures, not pass/fail; the machine's load
average is printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xsignals_dagster.demo.generate import generate  # noqa: E402
from xsignals_dagster.headless import run_everything  # noqa: E402
from xsignals_dagster.ingest.pipeline import ingest_source  # noqa: E402
from xsignals_dagster.privacy.erasure import find_erased, process_erasures  # noqa: E402
from xsignals_dagster.resources import GroundTruth, LandingZone, Warehouse, build_resources  # noqa: E402
from xsignals_dagster.warehouse import WarehouseStore  # noqa: E402

REGION = "US"


def build(persons: int, days: int, seed: int, folder: Path) -> tuple[Path, Path]:
    """A generated zone and the warehouse every asset wrote from it."""
    generate(persons, days, seed=seed, out=folder / "zone")
    landing, warehouse = folder / "zone" / "landing", folder / "warehouse.db"
    resources = {
        **build_resources(),
        "landing": LandingZone(root=str(landing)),
        "warehouse": Warehouse(url=f"sqlite:///{warehouse}"),
        "truth": GroundTruth(folder=""),
    }
    with dg.instance_for_test() as instance:
        started = time.perf_counter()
        run_everything(instance, landing, resources=resources)
        print(f"pipeline: {time.perf_counter() - started:.1f} s")
    return landing, warehouse


def timed_run(label: str, store: WarehouseStore) -> None:
    started = time.perf_counter()
    report = process_erasures(store, REGION, run_id=f"benchmark-{label}")
    processed = time.perf_counter()
    found = find_erased(store, REGION)
    checked = time.perf_counter()
    print(
        f"{label:>8}: process_erasures {processed - started:6.2f} s, "
        f"find_erased {checked - processed:6.2f} s, "
        f"total {checked - started:6.2f} s; {report.requests} request(s), "
        f"rows removed {report.rows_removed or 'none'}, "
        f"flagged: {found or 'none'}"
    )


def land_request(landing: Path, store: WarehouseStore) -> None:
    """An erasure request, in the zone, for an account id the warehouse holds."""
    account = store.query("SELECT account_id FROM stg_web WHERE account_id IS NOT NULL LIMIT 1")[
        "account_id"
    ].item()
    path = landing / "erasure" / "2099-01-01-bench.csv"
    path.write_text(f"request_id,ts,account_id\nbench-1,2099-01-01,{account}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warehouse", type=Path, help="an existing SQLite warehouse (copied, never written)")
    parser.add_argument("--landing", type=Path, help="the landing zone that warehouse was built from")
    parser.add_argument("--keep", type=Path, help="keep the generated zone and warehouse here")
    args = parser.parse_args()
    if bool(args.warehouse) != bool(args.landing):
        parser.error("--warehouse and --landing go together")

    folder = Path(tempfile.mkdtemp(prefix="xsignals-erasure-"))
    try:
        if args.warehouse:
            landing, built = args.landing, args.warehouse
        else:
            landing, built = build(args.persons, args.days, args.seed, args.keep or folder)
        # The runs write to copies: of the warehouse, and of the landing folders they add to.
        copy = folder / "bench.db"
        with sqlite3.connect(built) as source, sqlite3.connect(copy) as target:
            source.backup(target)  # what the write-ahead log holds too
        zone = folder / "landing"
        for source in ("web", "erasure"):
            shutil.copytree(landing / source, zone / source)
        store = WarehouseStore(f"sqlite:///{copy}")
        print(f"load average (1 min): {os.getloadavg()[0]:.1f}")
        timed_run("first", store)
        timed_run("again", store)
        last_web = sorted((zone / "web").iterdir())[-1]
        started = time.perf_counter()
        ingest_source(store, zone, "web", [last_web.name[:10]], REGION)
        print(f"(re-ingesting {last_web.name}: {time.perf_counter() - started:.1f} s)")
        timed_run("new day", store)
        land_request(zone, store)
        ingest_source(store, zone, "erasure", ["2099-01-01"], REGION)
        timed_run("request", store)
        store.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
