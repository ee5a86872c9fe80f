"""The Dagster webserver and daemon as a user runs them, for the web UI test and the
freshness benchmark: started in their own process groups on a loopback port against a
given folder (instance, landing zone, SQLite warehouse, logs), watched through GraphQL,
stopped by process group whatever happens."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests

from xsignals_dagster.cli import prepare_instance_storage
from xsignals_dagster.settings import PROJECT_ROOT

BIN = Path(sys.executable).parent
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}
LANDING_TRIGGER = {"key": "xsignals/trigger", "value": "landing_sensor"}

LOCATIONS = (
    "{ workspaceOrError { ... on Workspace { locationEntries { name locationOrLoadError { "
    "__typename ... on PythonError { message } } } } } }"
)
RUNS = """{ runsOrError(limit: 500) { ... on Runs { results {
  runId status creationTime startTime endTime tags { key value } assetSelection { path } } } } }"""
LATEST = """query($key: AssetKeyInput!) { assetOrError(assetKey: $key) { ... on Asset {
  assetMaterializations(limit: 1) { runId timestamp metadataEntries {
    label ... on IntMetadataEntry { intValue } ... on TextMetadataEntry { text } } } } } }"""


class TimedOut(AssertionError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(base: str, query: str, variables: dict | None = None) -> dict:
    response = requests.post(
        f"{base}/graphql", json={"query": query, "variables": variables or {}}, timeout=30
    )
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(f"GraphQL errors: {body['errors']}")
    return body["data"]


def wait_for(description: str, probe, timeout: float, interval: float = 2.0):
    """Call probe until it returns something true (returned) or timeout seconds pass (TimedOut)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = probe()
        except (requests.RequestException, RuntimeError) as error:  # the webserver is (re)loading
            last = error
        else:
            if last:
                return last
        time.sleep(interval)
    raise TimedOut(f"timed out after {timeout:.0f} s waiting for {description}; last: {last!r}")


def location_loaded(base: str) -> bool:
    """Whether the `xsignals` code location is up; its load error, if any, is raised."""
    for entry in graphql(base, LOCATIONS)["workspaceOrError"]["locationEntries"]:
        loaded = entry["locationOrLoadError"]
        if entry["name"] == "xsignals" and loaded:
            if loaded["__typename"] == "PythonError":
                raise AssertionError(f"the code location failed to load: {loaded['message']}")
            return loaded["__typename"] == "RepositoryLocation"
    return False


def runs(base: str) -> list[dict]:
    return graphql(base, RUNS)["runsOrError"]["results"]


def latest_materialization(base: str, asset: str) -> dict | None:
    """The asset's newest materialization, with `seconds` (epoch) and `values` (label -> int)."""
    found = graphql(base, LATEST, {"key": {"path": [asset]}})["assetOrError"].get("assetMaterializations")
    if not found:
        return None
    event = found[0]
    event["seconds"] = int(event["timestamp"]) / 1000
    event["values"] = {m["label"]: m.get("intValue") for m in event["metadataEntries"]}
    return event


def land_atomically(source_root: Path, landing: Path) -> int:
    """Copy a generated zone into the landing zone file by file, landing each by rename."""
    count = 0
    for file in sorted(p for p in source_root.rglob("*") if p.is_file()):
        target = landing / file.relative_to(source_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name("." + target.name + ".tmp")
        shutil.copyfile(file, staging)
        os.replace(staging, target)
        count += 1
    return count


@contextlib.contextmanager
def dagster_services(folder: Path, port: int | None = None) -> Iterator[tuple[str, Path]]:
    """Webserver and daemon for `folder`; yields (base URL, landing zone). Stopped by process
    group on exit, the run workers the daemon launched included."""
    home, landing, logs = folder / "dagster_home", folder / "landing", folder / "logs"
    for path in (home, landing, logs):
        path.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    prepare_instance_storage(home)  # before the processes start: they would race to create it
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "XSIGNALS_LANDING_DIR": str(landing),
        "XSIGNALS_WAREHOUSE_URL": f"sqlite:///{folder / 'warehouse.db'}",
    }
    port = port or free_port()
    workspace = str(PROJECT_ROOT / "workspace.yaml")
    commands = {
        "webserver": [str(BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(port), "-w", workspace],
        "daemon": [str(BIN / "dagster-daemon"), "run", "-w", workspace],
    }
    processes: dict[str, subprocess.Popen] = {}
    try:
        for name, command in commands.items():
            with (logs / f"{name}.log").open("w") as log:
                processes[name] = subprocess.Popen(
                    command,
                    env=env,
                    cwd=PROJECT_ROOT,
                    start_new_session=True,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
        yield f"http://127.0.0.1:{port}", landing
    finally:
        for process in processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
            with contextlib.suppress(ProcessLookupError):  # run workers left in the daemon's group
                os.killpg(process.pid, signal.SIGKILL)
