"""`xsignals run` as a crash meets it, for the recovery tests and the fault benchmark: run in
its own process group and killed when its log shows a given line."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import dagster as dg

from xsignals_dagster.contract.vocabularies import WAREHOUSE_POOL
from xsignals_dagster_tests.test_cli import XSIGNALS

RUN_TIMEOUT_SECONDS = 900
ERASURE_SALT = "killed-runs"  # every run draws the same hashes, so a re-run can equal a clean run


def xsignals_run(
    home: Path,
    landing: Path,
    warehouse_url: str,
    kill_at: str | None = None,
    kill: signal.Signals | Callable[[], object] = signal.SIGKILL,
    timeout: float = RUN_TIMEOUT_SECONDS,
) -> tuple[int, str]:
    """`xsignals run` in its own process group. As soon as the log shows `kill_at`: SIGKILL to
    the group, another signal to xsignals alone, or `kill()` called (a fault outside the
    run, such as a database restart). SIGKILL to the group after `timeout` seconds (a wedged
    run). Returns the exit status and the log."""
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "XSIGNALS_LANDING_DIR": str(landing),
        "XSIGNALS_WAREHOUSE_URL": warehouse_url,
        "XSIGNALS_ERASURE_SALT": ERASURE_SALT,
    }
    process = subprocess.Popen(
        [XSIGNALS, "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    watchdog = threading.Timer(timeout, os.killpg, (process.pid, signal.SIGKILL))  # a wedged run
    watchdog.start()
    lines = []
    try:
        for line in process.stdout:
            lines.append(line)
            if kill_at and kill_at in line:
                if kill == signal.SIGKILL:
                    os.killpg(process.pid, kill)
                    break
                if callable(kill):
                    kill()
                else:
                    process.send_signal(kill)  # to xsignals alone, as `kill <pid>` and supervisors do
                kill_at = None
        return process.wait(), "".join(lines)
    finally:
        watchdog.cancel()
        process.stdout.close()


def held_slots(home: Path) -> dict[str, str]:
    """The runs holding a slot of the pool `warehouse` in the instance at `home`, with their status."""
    with dg.DagsterInstance.from_config(str(home)) as instance:
        info = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
        return {slot.run_id: instance.get_run_by_id(slot.run_id).status.value for slot in info.claimed_slots}
