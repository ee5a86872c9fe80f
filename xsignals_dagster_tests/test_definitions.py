"""The loaded definitions, as a snapshot: a change to the graph must be deliberate. `dg` loads
the same ones from the project root, and every table a full run writes is an asset's or
bookkeeping."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from xsignals_dagster.contract.tables import BOOKKEEPING_TABLE_NAMES
from xsignals_dagster.definitions import build_definitions, defs
from xsignals_dagster.demo.generate import generate
from xsignals_dagster.headless import run_everything
from xsignals_dagster.resources import IntentConfig, LandingZone, Warehouse, build_resources

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ASSETS = [
    "behavioral_signals",
    "contextual_signals",
    "customer_consents",
    "customer_identifiers",
    "customer_profiles",
    "customer_records",
    "customers",
    "engagement_signals",
    "erasures",
    "identity_changes",
    "identity_links",
    "identity_match_model",
    "intent_model",
    "intent_purchases",
    "intent_scores",
    "intent_training_set",
    "journey_signals",
    "landing_misfits",
    "next_best_actions",
    "preference_signals",
    "shared_identifiers",
    "stg_accounts",
    "stg_app",
    "stg_email",
    "stg_erasure",
    "stg_loyalty",
    "stg_pos",
    "stg_preferences",
    "stg_service",
    "stg_store",
    "stg_web",
    "transactional_signals",
]
CHECKS = [
    "customer_identifiers:cluster_size_within_cap",
    "customer_profiles:every_customer_has_a_profile",
    "customer_records:linked_share",
    "erasures:no_erased_identifiers",
    "intent_model:auc_above_floor_and_not_dropping",
    "intent_training_set:enough_to_train",
    "stg_accounts:no_quarantined_files",
    "stg_accounts:rejected_share_below_threshold",
    "stg_app:no_quarantined_files",
    "stg_app:rejected_share_below_threshold",
    "stg_email:no_quarantined_files",
    "stg_email:rejected_share_below_threshold",
    "stg_erasure:no_quarantined_files",
    "stg_erasure:rejected_share_below_threshold",
    "stg_loyalty:no_quarantined_files",
    "stg_loyalty:rejected_share_below_threshold",
    "stg_pos:no_quarantined_files",
    "stg_pos:rejected_share_below_threshold",
    "stg_preferences:no_quarantined_files",
    "stg_preferences:rejected_share_below_threshold",
    "stg_service:no_quarantined_files",
    "stg_service:rejected_share_below_threshold",
    "stg_store:no_quarantined_files",
    "stg_store:rejected_share_below_threshold",
    "stg_web:no_quarantined_files",
    "stg_web:rejected_share_below_threshold",
]
SENSORS = ["downstream_automation", "landing_sensor", "run_recovery"]
SCHEDULES = {"daily_erasure_check": "erasure_check", "daily_rebuild": "__anonymous_asset_job_daily_rebuild"}
JOBS = ["erasure_check"]


def _asset_keys(definitions: dg.Definitions) -> list[str]:
    return sorted(key.to_user_string() for key in definitions.resolve_asset_graph().get_all_asset_keys())


def test_the_definitions_are_the_ones_listed_here():
    graph = defs.resolve_asset_graph()
    assert _asset_keys(defs) == ASSETS
    assert sorted(f"{key.asset_key.to_user_string()}:{key.name}" for key in graph.asset_check_keys) == CHECKS
    assert sorted(sensor.name for sensor in defs.sensors) == SENSORS
    assert {schedule.name: schedule.job_name for schedule in defs.schedules} == SCHEDULES
    assert sorted(job.name for job in defs.jobs) == JOBS


def test_dg_lists_the_same_definitions_from_the_project_root():
    dg_cli = Path(sys.executable).parent / "dg"
    listed = subprocess.run(
        [dg_cli, "list", "defs", "--json"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    output = json.loads(listed.stdout)
    assert sorted(asset["asset_key"] for asset in output["assets"]) == ASSETS
    assert sorted(check["key"] for check in output["asset_checks"]) == CHECKS
    assert sorted(sensor["name"] for sensor in output["sensors"]) == SENSORS
    assert sorted(schedule["name"] for schedule in output["schedules"]) == sorted(SCHEDULES)
    assert sorted(job["name"] for job in output["jobs"]) == JOBS
    checked = subprocess.run(
        [dg_cli, "check", "defs"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert checked.returncode == 0, checked.stderr


def test_every_table_a_full_run_writes_is_an_asset_or_bookkeeping(tmp_path: Path):
    """A run with erasure requests and a supervised model, so that every kind of table exists."""
    zone, url = tmp_path / "generated", f"sqlite:///{tmp_path / 'warehouse.db'}"
    generate(400, 36, seed=5, out=zone, end_date=dt.date(2026, 11, 21))
    resources = {
        **build_resources(),
        "landing": LandingZone(root=str(zone / "landing")),
        "warehouse": Warehouse(url=url),
        "intent_config": IntentConfig(horizon_days=7),
    }
    with dg.instance_for_test() as instance:
        run_everything(instance, zone / "landing", resources)
        # Loaded while an instance is open: Dagster reads its defs state through the current one.
        graph = build_definitions(resources).resolve_asset_graph()
    tables_of_assets = {
        graph.get(key).metadata.get("dagster/table_name", key.to_user_string())
        for key in graph.get_all_asset_keys()
    }
    assert not tables_of_assets & BOOKKEEPING_TABLE_NAMES
    written = set(sa.inspect(sa.create_engine(url)).get_table_names())
    assert {"intent_models", "erasure_audit", "identity_match_model", "intent_purchases"} <= written
    assert written - tables_of_assets - BOOKKEEPING_TABLE_NAMES == set()
