"""`xsignals dev` stops everything it started when a supervisor or a terminal tells it to."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from xsignals_dagster_tests.test_cli import XSIGNALS
from xsignals_dagster_tests.ui_services import free_port, location_loaded, wait_for

STOP_WITHIN_SECONDS = 10
SERVICES = ("dagster_webserver", "dagster._daemon", "code-server", "api grpc")


def descendants(pid: int) -> dict[int, str]:
    """Every live process below `pid`, with its command line (from /proc)."""
    children: dict[int, list[int]] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if stat[0] != "Z":
                children.setdefault(int(stat[1]), []).append(int(entry.name))
                commands[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    found, todo = {}, list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found[child] = commands[child]
        todo += children.get(child, [])
    return found


def alive(pid: int, command: str | None) -> bool:
    """Whether `pid` still runs (no zombie) with that command line (None: any)."""
    with contextlib.suppress(OSError):
        if (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) == "Z":
            return False
        return command is None or (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode() == command
        )
    return False


@pytest.mark.parametrize(
    "stop", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=["SIGTERM", "SIGINT", "SIGHUP"]
)
def test_dev_stops_ui_daemon_and_code_servers_within_10_seconds(tmp_path, stop):
    port = free_port()
    (tmp_path / "landing").mkdir()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp_path / "home"),
        "XSIGNALS_LANDING_DIR": str(tmp_path / "landing"),
        "XSIGNALS_WAREHOUSE_URL": f"sqlite:///{tmp_path / 'w.db'}",
    }
    dev = subprocess.Popen(
        [XSIGNALS, "dev", "--port", str(port)],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for("the code location", lambda: location_loaded(base), timeout=180)
        started = wait_for(
            "webserver, daemon and code servers",
            lambda: (
                (found := descendants(dev.pid))
                and all(any(s in c for c in found.values()) for s in SERVICES)
                and found
            ),
            timeout=60,
            interval=0.5,
        )
        dev.send_signal(stop)  # to xsignals alone, as `kill <pid>` and supervisors do
        sent = time.monotonic()
        while any(alive(pid, command) for pid, command in started.items()) or dev.poll() is None:
            assert time.monotonic() - sent < STOP_WITHIN_SECONDS, {
                p: c for p, c in started.items() if alive(p, c)
            }
            time.sleep(0.2)
    finally:
        for pid, command in {
            dev.pid: None,
            **(started if "started" in locals() else descendants(dev.pid)),
        }.items():
            if alive(pid, command):
                os.kill(pid, signal.SIGKILL)
