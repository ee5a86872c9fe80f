"""Crash at every step boundary, re-run, and compare every table with a clean run.

    python benchmarks/faults.py [--persons 1000] [--days 30] [--postgres]

Generates a zone, runs `xsignals run` once cleanly (its steps in order and its time), then
for each step: a fresh instance and warehouse, `xsignals run` killed with SIGKILL to its
process group as that step starts (the one before it has committed), and a re-run that
must recover by itself. One line per kill point: the re-run's seconds and whether every
table equals the clean run's (columns that record when or by which run aside; every run
gets the same erasure salt), or the first difference. Goal: every line equal, no re-run
slower than the clean run + 30 s. With --postgres the warehouse is a throw-away PostgreSQL
server, and one more line restarts that server while the run ingests.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import re
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xsignals_dagster.demo.generate import generate  # noqa: E402
from xsignals_dagster_tests.killed_runs import xsignals_run  # noqa: E402
from xsignals_dagster_tests.postgres_server import new_database, postgres_server, restart  # noqa: E402
from xsignals_dagster_tests.warehouse_diff import first_difference  # noqa: E402

STEP_START = re.compile(r'Started execution of step "([^"]+)"')
SLOWER_ALLOWED_SECONDS = 30


def timed_run(folder: Path, landing: Path, url: str, **kill) -> tuple[float, int, str]:
    started = time.perf_counter()
    status, log = xsignals_run(folder / "home", landing, url, **kill)
    return time.perf_counter() - started, status, log


def verdict(url: str, clean_url: str, seconds: float, clean_seconds: float) -> str:
    difference = first_difference(url, clean_url)
    slow = (
        f", SLOWER than clean + {SLOWER_ALLOWED_SECONDS} s"
        if seconds > clean_seconds + SLOWER_ALLOWED_SECONDS
        else ""
    )
    return f"re-run {seconds:6.1f} s{slow}, " + (
        "tables equal" if difference is None else f"first difference: {difference}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument(
        "--postgres", action="store_true", help="a throw-away PostgreSQL warehouse instead of SQLite"
    )
    parser.add_argument("--only", help="kill only before steps whose name contains this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xsignals-faults-") as folder, contextlib.ExitStack() as stack:
        root = Path(folder)
        generate(args.persons, args.days, seed=5, out=root / "zone", end_date=dt.date(2026, 11, 21))
        landing = root / "zone" / "landing"
        server = stack.enter_context(postgres_server()) if args.postgres else None

        def warehouse(name: str) -> str:
            return new_database(server) if server else f"sqlite:///{root / name}.db"

        clean_url = warehouse("clean")
        clean_seconds, status, log = timed_run(root / "clean", landing, clean_url)
        if status != 0:
            raise SystemExit(f"the clean run failed:\n{log[-3000:]}")
        steps = STEP_START.findall(log)
        backend = "postgresql" if server else "sqlite"
        print(
            f"{backend}: {args.persons} persons x {args.days} days, "
            f"clean run {clean_seconds:.1f} s, {len(steps)} steps"
        )
        for step in [s for s in steps if not args.only or args.only in s]:
            url = warehouse(step)
            _, status, _ = timed_run(root / step, landing, url, kill_at=f'Started execution of step "{step}"')
            if status != -signal.SIGKILL:
                print(f"kill before {step:22} not reached (exit {status})")
                continue
            seconds, status, log = timed_run(root / step, landing, url)
            outcome = (
                verdict(url, clean_url, seconds, clean_seconds)
                if status == 0
                else f"re-run FAILED: {log.strip().splitlines()[-1]}"
            )
            print(f"kill before {step:22} {outcome}", flush=True)
        if server:
            url = warehouse("restart")
            _, status, log = timed_run(
                root / "restart", landing, url, kill_at="stg_web - web/", kill=lambda: restart(server)
            )
            print(f"postgres restarted during stg_web: run exit {status}: {log.strip().splitlines()[-1]}")
            seconds, status, log = timed_run(root / "restart", landing, url)
            outcome = (
                verdict(url, clean_url, seconds, clean_seconds)
                if status == 0
                else f"re-run FAILED: {log.strip().splitlines()[-1]}"
            )
            print(f"postgres restarted during stg_web {outcome}")


if __name__ == "__main__":
    main()
