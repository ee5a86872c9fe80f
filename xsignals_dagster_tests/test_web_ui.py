"""End to end in the web UI: files land, the sensor ingests, automation refreshes everything
downstream, and a real headless Chromium shows the graph, an asset's latest
materialization and a metadata value.

Starts the Dagster webserver and daemon as subprocesses, each in its own process group, on
a free loopback port, against a temporary instance, landing zone and warehouse; stops them
by process group whatever happens. Screenshots go to data/screenshots/.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from xsignals_dagster.cli import prepare_instance_storage
from xsignals_dagster.demo.generator import generate
from xsignals_dagster.settings import DATA_DIR, PROJECT_ROOT
from xsignals_dagster_tests.conftest import IN_CI

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = DATA_DIR / "screenshots"
BIN = Path(sys.executable).parent
LAST_ASSET = "next_best_actions"

LOCATIONS = "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus locationOrLoadError { __typename } } } } }"
RUNS = "{ runsOrError(limit: 100) { ... on Runs { results { runId status tags { key value } } } } }"
LATEST = """query($key: AssetKeyInput!) { assetOrError(assetKey: $key) { ... on Asset {
  assetMaterializations(limit: 1) { runId metadataEntries { label ... on IntMetadataEntry { intValue } } } } } }"""
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(base: str, query: str, variables: dict | None = None) -> dict:
    response = requests.post(f"{base}/graphql", json={"query": query, "variables": variables or {}}, timeout=30)
    response.raise_for_status()
    return response.json()["data"]


def wait_for(description: str, probe, timeout: float, interval: float = 3.0):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = probe()
        except requests.RequestException as error:
            last = error
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {description}; last: {last!r}")


def land_atomically(source_root: Path, landing: Path) -> int:
    """Move a generated zone into the landing zone file by file, by rename, as writers must."""
    count = 0
    for file in sorted(p for p in source_root.rglob("*") if p.is_file()):
        target = landing / file.relative_to(source_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name("." + target.name + ".tmp")
        shutil.copyfile(file, staging)
        os.replace(staging, target)
        count += 1
    return count


@pytest.fixture
def dagster_services(tmp_path):
    """Webserver + daemon on a free port; every process stopped by process group afterwards."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    prepare_instance_storage(home)
    landing = tmp_path / "landing"
    landing.mkdir()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "XSIGNALS_LANDING_DIR": str(landing),
        "XSIGNALS_WAREHOUSE_URL": f"sqlite:///{tmp_path / 'warehouse.db'}",
    }
    port = _free_port()
    workspace = str(PROJECT_ROOT / "workspace.yaml")
    logs = tmp_path / "logs"
    logs.mkdir()
    commands = {
        "webserver": [str(BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(port), "-w", workspace],
        "daemon": [str(BIN / "dagster-daemon"), "run", "-w", workspace],
    }
    processes = {}
    try:
        for name, command in commands.items():
            with (logs / f"{name}.log").open("w") as log:
                processes[name] = subprocess.Popen(
                    command, env=env, cwd=PROJECT_ROOT, start_new_session=True, stdout=log, stderr=subprocess.STDOUT
                )
        yield f"http://127.0.0.1:{port}", landing, tmp_path
    finally:
        for process in processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: apt-get install chromium"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _location_loaded(base: str) -> bool:
    entries = graphql(base, LOCATIONS)["workspaceOrError"]["locationEntries"]
    return any(e["name"] == "xsignals" and e["locationOrLoadError"]["__typename"] == "RepositoryLocation" for e in entries)


def _runs(base: str) -> list[dict]:
    return graphql(base, RUNS)["runsOrError"]["results"]


def _materialized(base: str, asset: str) -> dict | None:
    materializations = graphql(base, LATEST, {"key": {"path": [asset]}})["assetOrError"].get("assetMaterializations")
    return materializations[0] if materializations else None


def test_files_landing_flow_through_sensor_and_automation_into_the_ui(dagster_services, chromium):
    base, landing, folder = dagster_services
    wait_for("the xsignals code location to load", lambda: _location_loaded(base), timeout=180)

    generate(200, 4, seed=11, out=folder / "generated", end_date=dt.date(2026, 11, 21))
    assert land_atomically(folder / "generated" / "landing", landing) > 10

    def sensor_run_succeeded():
        runs = _runs(base)
        failed = [r["runId"] for r in runs if r["status"] == "FAILURE"]
        assert not failed, f"runs failed: {failed}"
        return any(r["status"] == "SUCCESS" and {"key": "xsignals/trigger", "value": "landing_sensor"} in r["tags"] for r in runs)

    wait_for("the landing sensor's run to succeed", sensor_run_succeeded, timeout=240)

    def settled_with_profiles():
        """Every run finished, none failed, and the latest profiles hold the landed customers."""
        runs = _runs(base)
        assert not [r["runId"] for r in runs if r["status"] == "FAILURE"], "a run failed"
        profiles = _materialized(base, "customer_profiles")
        rows = {m["label"]: m.get("intValue") for m in profiles["metadataEntries"]} if profiles else {}
        return all(r["status"] in FINISHED for r in runs) and (rows.get("rows") or 0) > 0 and _materialized(base, LAST_ASSET)

    wait_for(f"automation to refresh everything down to {LAST_ASSET}", settled_with_profiles, timeout=360)
    profiles = _materialized(base, "customer_profiles")
    assert {"rows", "signal_coverage"} <= {m["label"] for m in profiles["metadataEntries"]}

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 1600, "height": 1800})
    page.goto(f"{base}/asset-groups", wait_until="networkidle", timeout=60_000)
    skip = page.get_by_role("button", name="Skip")  # Dagster's first-visit newsletter dialog
    if skip.count():
        skip.click()
    for group in ("ingest", "identity", "privacy", "signals", "intent"):
        page.get_by_text(group, exact=True).first.wait_for(timeout=60_000)
    page.screenshot(path=str(SCREENSHOTS / "asset_graph.png"))

    page.goto(f"{base}/assets", wait_until="networkidle", timeout=60_000)  # the catalog
    for asset in ("behavioral_signals", "customer_identifiers", "customer_profiles", "erasures", "intent_scores"):
        page.get_by_text(asset, exact=True).first.wait_for(timeout=60_000)
    page.screenshot(path=str(SCREENSHOTS / "asset_catalog.png"))

    page.goto(f"{base}/assets/customer_profiles", wait_until="networkidle", timeout=60_000)
    page.get_by_text("signal_coverage").first.wait_for(timeout=60_000)
    body = page.inner_text("body")
    assert "customer_profiles" in body and "Latest materialization" in body and "signal_coverage" in body
    page.screenshot(path=str(SCREENSHOTS / "customer_profiles.png"))
    page.close()
