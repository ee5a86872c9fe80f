"""Crash recovery as an operator meets it: `xsignals run` killed with SIGKILL to its process
group (an OOM kill, a power cut) mid-ingestion, the next run killed mid-identity, and the
run after that completes and leaves what a clean run leaves; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import signal
from pathlib import Path

import dagster as dg
import pytest

from xsignals_dagster.defs.recovery import run_recovery_sensor
from xsignals_dagster.demo.generate import generate
from xsignals_dagster_tests.killed_runs import held_slots, xsignals_run
from xsignals_dagster_tests.postgres_server import new_database, start, stop
from xsignals_dagster_tests.warehouse_diff import first_difference


@pytest.fixture(scope="module")
def zone(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("zone")
    generate(150, 4, seed=11, out=out, end_date=dt.date(2026, 11, 21))
    return out / "landing"


def test_killed_runs_leave_nothing_blocked_and_the_rerun_equals_a_clean_run(
    zone, new_warehouse_url, tmp_path
):
    clean_url, url = new_warehouse_url("clean"), new_warehouse_url("crashed")
    status, log = xsignals_run(tmp_path / "clean_home", zone, clean_url)
    assert status == 0, log[-3000:]

    home = tmp_path / "home"
    status, log = xsignals_run(home, zone, url, kill_at="stg_email - email/")  # read, not yet written
    assert status == -signal.SIGKILL
    first = held_slots(home)
    assert list(first.values()) == ["STARTED"], first  # the dead run holds the pool's only slot

    status, log = xsignals_run(home, zone, url, kill_at='Started execution of step "identity_resolution"')
    assert status == -signal.SIGKILL, log[-3000:]  # got past ingestion: the first run's slot was freed
    assert f"recovered run {next(iter(first))}: its process" in log
    second = held_slots(home)
    assert list(second.values()) == ["STARTED"] and second.keys() != first.keys()

    status, log = xsignals_run(home, zone, url)
    assert status == 0, log[-3000:]
    assert f"recovered run {next(iter(second))}" in log
    assert held_slots(home) == {}
    with dg.DagsterInstance.from_config(str(home)) as instance:
        for run_id in (*first, *second):
            assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
            failure = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.RUN_FAILURE).records
            assert "is gone (killed or crashed)" in failure[0].event_log_entry.dagster_event.message
    assert first_difference(url, clean_url) is None


def test_run_stopped_by_sigterm_exits_with_a_one_line_reason_and_the_next_run_completes(zone, tmp_path):
    """SIGTERM (a supervisor, `docker stop`); SIGINT takes the same path inside Dagster."""
    url = f"sqlite:///{tmp_path / 'w.db'}"
    status, log = xsignals_run(
        tmp_path / "home", zone, url, kill_at="stg_email - email/", kill=signal.SIGTERM
    )
    assert status == 128 + signal.SIGINT
    last = log.strip().splitlines()[-1]
    assert (
        last.startswith("xsignals run: interrupted by SIGINT or SIGTERM (ingest run ")
        and "step stg_email interrupted" in last
    )
    assert held_slots(tmp_path / "home") == {}  # nothing for the next run to recover
    with dg.DagsterInstance.from_config(str(tmp_path / "home")) as instance:
        assert [run.status for run in instance.get_runs()] == [dg.DagsterRunStatus.FAILURE]
    status, log = xsignals_run(tmp_path / "home", zone, url)
    assert status == 0, log[-3000:]


def test_postgres_restart_mid_run_fails_with_one_line_and_the_next_run_equals_a_clean_run(
    zone, postgres_url, tmp_path
):
    """The database goes away under a running pipeline (a failover, a restart for an upgrade) and
    stays away until the run has failed: the run fails by itself and says why in one line; once
    the server is back, the next run completes and equals a clean run."""
    clean_url, url = new_database(postgres_url), new_database(postgres_url)
    status, log = xsignals_run(tmp_path / "clean_home", zone, clean_url)
    assert status == 0, log[-3000:]

    home = tmp_path / "home"
    try:
        status, log = xsignals_run(
            home,
            zone,
            url,
            kill_at='Started execution of step "identity_resolution"',
            kill=lambda: stop(postgres_url),
        )
    finally:
        start(postgres_url)
    assert status not in (0, -signal.SIGKILL), log[-3000:]  # it failed, and by itself: not wedged
    last = log.strip().splitlines()[-1]
    assert last.startswith("xsignals run: downstream run ") and "step identity_resolution failed: " in last, (
        last
    )
    assert "connection" in last.lower(), last  # the driver's reason, not a traceback's last line
    assert held_slots(home) == {}

    status, log = xsignals_run(home, zone, url)
    assert status == 0, log[-3000:]
    assert first_difference(url, clean_url) is None


def test_the_daemons_recovery_sensor_fails_a_killed_run_and_frees_its_slot(zone, tmp_path):
    """Under the UI the daemon evaluates `run_recovery` every half minute; here it is evaluated
    once, on the instance a run was killed in (its worker gone, its pool slot held)."""
    home = tmp_path / "home"
    status, log = xsignals_run(home, zone, f"sqlite:///{tmp_path / 'w.db'}", kill_at="stg_email - email/")
    assert status == -signal.SIGKILL, log[-3000:]
    held = held_slots(home)
    assert list(held.values()) == ["STARTED"], held
    (run_id,) = held

    with dg.DagsterInstance.from_config(str(home)) as instance:
        result = run_recovery_sensor(dg.build_sensor_context(instance=instance))
        assert f"run {run_id}: its process" in result.skip_message
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
        again = run_recovery_sensor(dg.build_sensor_context(instance=instance))
        assert again.skip_message == "no dead runs"
    assert held_slots(home) == {}


def test_a_run_killed_after_an_erasure_reruns_to_what_a_clean_run_leaves(tmp_path):
    """Killed after `erasures` removed a person's rows: the re-run leaves the unchanged dates as
    they loaded instead of reading them again against the grown suppression list, so its
    bookkeeping equals a clean run's (reading them again rejected the erased rows as `erased`)."""
    generate(300, 10, seed=5, out=tmp_path / "zone", end_date=dt.date(2026, 11, 21))
    landing = tmp_path / "zone" / "landing"
    clean_url, url = f"sqlite:///{tmp_path / 'clean.db'}", f"sqlite:///{tmp_path / 'crashed.db'}"
    status, log = xsignals_run(tmp_path / "clean_home", landing, clean_url)
    assert status == 0, log[-3000:]
    assert "erased" in log  # the zone's erasure requests reach landed rows

    home = tmp_path / "home"
    status, log = xsignals_run(home, landing, url, kill_at='Started execution of step "customer_signals"')
    assert status == -signal.SIGKILL, log[-3000:]
    status, log = xsignals_run(home, landing, url)
    assert status == 0, log[-3000:]
    assert "unchanged since they loaded, left as they are" in log
    assert first_difference(url, clean_url) is None
