"""End to end in the web UI: files land, the sensor ingests, automation refreshes everything
downstream, and a real headless Chromium shows the graph, an asset's latest
materialization and a metadata value.

Starts the Dagster webserver and daemon as subprocesses, each in its own process group, on
a free loopback port, against a temporary instance, landing zone and warehouse; stops them
by process group whatever happens. Screenshots go to data/screenshots/.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from xsignals_dagster.demo.generate import generate
from xsignals_dagster.settings import DATA_DIR
from xsignals_dagster_tests.conftest import IN_CI
from xsignals_dagster_tests.ui_services import (
    FINISHED,
    LANDING_TRIGGER,
    dagster_services,
    land_atomically,
    latest_materialization,
    location_loaded,
    runs,
    wait_for,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = DATA_DIR / "screenshots"
LAST_ASSET = "next_best_actions"


@pytest.fixture
def services(tmp_path):
    """Webserver + daemon on a free port; every process stopped by process group afterwards."""
    with dagster_services(tmp_path) as (base, landing):
        yield base, landing, tmp_path


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


def test_files_landing_flow_through_sensor_and_automation_into_the_ui(services, chromium):
    base, landing, folder = services
    wait_for("the xsignals code location to load", lambda: location_loaded(base), timeout=180)

    generate(200, 4, seed=11, out=folder / "generated", end_date=dt.date(2026, 11, 21))
    assert land_atomically(folder / "generated" / "landing", landing) > 10

    def sensor_run_succeeded():
        current = runs(base)
        failed = [r["runId"] for r in current if r["status"] == "FAILURE"]
        assert not failed, f"runs failed: {failed}"
        return any(r["status"] == "SUCCESS" and LANDING_TRIGGER in r["tags"] for r in current)

    wait_for("the landing sensor's run to succeed", sensor_run_succeeded, timeout=240)

    def settled_with_profiles():
        """Every run finished, none failed, and the latest profiles hold the landed customers."""
        current = runs(base)
        assert not [r["runId"] for r in current if r["status"] == "FAILURE"], "a run failed"
        profiles = latest_materialization(base, "customer_profiles")
        has_rows = bool(profiles and profiles["values"].get("rows"))
        return (
            all(r["status"] in FINISHED for r in current)
            and has_rows
            and latest_materialization(base, LAST_ASSET)
        )

    wait_for(f"automation to refresh everything down to {LAST_ASSET}", settled_with_profiles, timeout=360)
    profiles = latest_materialization(base, "customer_profiles")
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
    for asset in (
        "behavioral_signals",
        "customer_identifiers",
        "customer_profiles",
        "erasures",
        "intent_scores",
    ):
        page.get_by_text(asset, exact=True).first.wait_for(timeout=60_000)
    page.screenshot(path=str(SCREENSHOTS / "asset_catalog.png"))

    page.goto(f"{base}/assets/customer_profiles", wait_until="networkidle", timeout=60_000)
    page.get_by_text("signal_coverage").first.wait_for(timeout=60_000)
    body = page.inner_text("body")
    assert "customer_profiles" in body and "Latest materialization" in body and "signal_coverage" in body
    page.screenshot(path=str(SCREENSHOTS / "customer_profiles.png"))
    page.close()
