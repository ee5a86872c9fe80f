"""The `xsignals` command: generate demo data, run everything headless, start the UI."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import click

from xsignals_dagster.settings import DATA_DIR, PROJECT_ROOT, setting


def _prepare_dagster_home() -> Path:
    """DAGSTER_HOME, defaulting to data/dagster_home with the project's dagster.yaml."""
    home = Path(setting("DAGSTER_HOME")).expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    if not (home / "dagster.yaml").exists() and (PROJECT_ROOT / "dagster.yaml").exists():
        shutil.copy(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    return home


def prepare_instance_storage(home: Path) -> None:
    """Create the instance's SQLite storage once, before several processes open it: the
    webserver, its code server and the daemon would otherwise race to create its tables."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home)) as instance:
        instance.get_runs(limit=1)


@click.group()
def main() -> None:
    """xsignals: cross-experience signals on Dagster."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")


@main.command()
@click.option("--persons", type=click.IntRange(1), default=2000, show_default=True)
@click.option("--days", type=click.IntRange(1), default=30, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Writes OUT/landing and OUT/truth.",
)
@click.option(
    "--end-date",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Last extract date [default: yesterday, UTC].",
)
def generate(persons: int, days: int, seed: int, out: Path, end_date: dt.datetime | None) -> None:
    """Write a synthetic retailer's landing zone and its ground truth."""
    from xsignals_dagster.demo.generate import generate as write_demo

    summary = write_demo(persons, days, seed, out, end_date=end_date.date() if end_date else None)
    click.echo(f"wrote {out / 'landing'} and {out / 'truth'}: {summary}")


@main.command()
def run() -> None:
    """Ingest everything landed and materialize every asset once."""
    _prepare_dagster_home()
    import dagster as dg

    from xsignals_dagster.headless import RunFailed, run_everything

    landing = Path(setting("XSIGNALS_LANDING_DIR")).expanduser().resolve()
    # SIGTERM as Ctrl-C until a run starts; while one executes, Dagster maps SIGTERM to SIGINT
    # itself and fails the step and the run in the instance, so no pool slot stays held.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        with dg.DagsterInstance.get() as instance:
            run_everything(instance, landing)
    except (KeyboardInterrupt, RunFailed) as stop:
        if isinstance(stop, RunFailed) and not stop.interrupted:
            click.echo(f"xsignals run: {stop}", err=True)
            sys.exit(1)
        where = f" ({stop})" if isinstance(stop, RunFailed) else ""
        click.echo(
            f"xsignals run: interrupted by SIGINT or SIGTERM{where}; the next run redoes what it left undone",
            err=True,
        )
        sys.exit(128 + signal.SIGINT)
    except Exception as error:  # one line for the operator; the log above has the details
        click.echo(f"xsignals run: {type(error).__name__}: {error}".splitlines()[0], err=True)
        sys.exit(1)
    click.echo("xsignals run: all assets materialized")


# The demo's default size: the smallest history that trains and evaluates a supervised model out
# of time at the default 14-day horizon with room to spare (two horizons plus four weekly
# training snapshots), and enough customers for its AUC check to pass, in about a minute.
DEMO_PERSONS, DEMO_DAYS = 2000, 60


@main.command()
@click.option("--persons", type=click.IntRange(1), default=DEMO_PERSONS, show_default=True)
@click.option("--days", type=click.IntRange(1), default=DEMO_DAYS, show_default=True)
@click.option("--port", type=int, default=3000, show_default=True)
def dev(persons: int, days: int, port: int) -> None:
    """Generate demo data (once) and start the Dagster UI and daemon on 127.0.0.1."""
    from xsignals_dagster.demo.generate import generate as write_demo

    prepare_instance_storage(_prepare_dagster_home())
    demo = DATA_DIR / "demo"
    if "XSIGNALS_LANDING_DIR" not in os.environ:
        os.environ["XSIGNALS_LANDING_DIR"] = str(demo / "landing")
        os.environ.setdefault("XSIGNALS_TRUTH_DIR", str(demo / "truth"))
        if not (demo / "landing").exists():
            click.echo(f"generating demo data: {persons} persons x {days} days into {demo}")
            write_demo(persons, days, 7, demo)
    command = [
        sys.executable,
        "-m",
        "dagster",
        "dev",
        "-w",
        str(PROJECT_ROOT / "workspace.yaml"),
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    click.echo(f"starting the Dagster UI on http://127.0.0.1:{port} (Ctrl-C stops it)")
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, start_new_session=True)
    for stop in STOP_SIGNALS:  # Ctrl-C, `kill`, `docker stop`, systemd, a closed terminal
        signal.signal(stop, signal.default_int_handler)
    try:
        sys.exit(process.wait())
    except KeyboardInterrupt:
        stop_process_group(process)
        click.echo("xsignals dev: stopped the Dagster UI, daemon and code servers")


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# What supervisors give a process before they kill it (docker stop: 10 s): the stop steps sum to less,
# with room for this process's own exit on a busy machine (6 + 2 + 1 s once took over 10 s at a load of 6).
_STOP_STEPS = ((signal.SIGINT, 5.0), (signal.SIGTERM, 1.5), (signal.SIGKILL, 1.0))


def stop_process_group(process: subprocess.Popen) -> None:
    """Stop `dagster dev` and everything it started (its own process group): SIGINT first,
    on which it stops its webserver, daemon and code servers as on Ctrl-C; then SIGTERM and
    SIGKILL for whatever is left, since a service that is still starting, or waiting on a
    run it launched, can take a minute to stop by itself (measured: over 20 s)."""
    for stop, seconds in _STOP_STEPS:
        try:
            os.killpg(process.pid, stop)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            process.poll()  # reap dagster dev; its children are reaped by init once it is gone
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
