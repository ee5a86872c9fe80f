"""The erasures asset and its check in a real instance: what erasure removed from each asset's table
shows on that asset as an observation; the check also runs alone, on its own job."""

from __future__ import annotations

import json

import dagster as dg
import pytest
import sqlalchemy as sa

from xsignals_dagster.contract.tables import BOOKKEEPING_TABLE_NAMES, IDENTITY_TABLES, MATCH_MODEL_TABLE
from xsignals_dagster.definitions import build_definitions
from xsignals_dagster.resources import LandingZone, Warehouse, build_resources
from xsignals_dagster.warehouse import WarehouseStore
from xsignals_dagster_tests.ingest.landing_files import land
from xsignals_dagster_tests.pipeline import run_pipeline
from xsignals_dagster_tests.privacy.test_erasure import land_day_one

CHECK = dg.AssetCheckKey(dg.AssetKey("erasures"), "no_erased_identifiers")


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def _latest_check(instance: dg.DagsterInstance):
    record = instance.event_log_storage.get_latest_asset_check_execution_by_key([CHECK])[CHECK]
    return record.run_id, record.event.dagster_event.event_specific_data


def test_erasure_leaves_an_observation_on_every_asset_whose_table_it_changed(
    instance, landing, warehouse_url
):
    land_day_one(landing)
    run_pipeline(instance, landing, warehouse_url)
    land(landing, "erasure/2026-11-21.csv", "request_id,ts,email\nE1,2026-11-21,ann.lee@example.com\n")
    run_pipeline(instance, landing, warehouse_url)
    store = WarehouseStore(warehouse_url)
    removed = json.loads(store.read_table("erasure_audit")["rows_removed"].item())
    store.dispose()
    assert removed["stg_web"] == 3 and removed["rejected_rows"] == 1 and removed["customer_identifiers"] >= 5

    observed, runs = {}, {}
    for key in instance.get_asset_keys():
        records = instance.fetch_observations(key, limit=2).records
        if records:
            [record] = records  # one erasure, one observation
            metadata = {name: value.value for name, value in record.asset_observation.metadata.items()}
            observed[key.to_user_string()] = (
                metadata["rows_removed"],
                metadata["request_ids"],
                metadata["resolved_again"],
            )
            runs[key.to_user_string()] = record.run_id
    # Her staged rows fed identity, so identity was resolved again: every identity table says so.
    identity = {*IDENTITY_TABLES, MATCH_MODEL_TABLE}
    of_assets = {
        table: (removed.get(table, 0), "E1", table in identity)
        for table in {*removed, *identity}
        if table not in BOOKKEEPING_TABLE_NAMES
    }
    assert observed == of_assets
    # stg_web lost rows in the erasures step, and was not materialized by it
    assert instance.get_latest_materialization_event(dg.AssetKey("stg_web")).run_id != runs["stg_web"]


def test_automation_does_not_take_an_observation_for_new_data(instance, landing, warehouse_url):
    """The eager conditions look at materializations only: an erasure's observation on an
    upstream table refreshes nothing downstream."""
    land_day_one(landing)
    run_pipeline(instance, landing, warehouse_url)
    resources = {"landing": LandingZone(root=str(landing)), "warehouse": Warehouse(url=warehouse_url)}
    definitions = build_definitions({**build_resources(), **resources})
    cursor = dg.evaluate_automation_conditions(definitions, instance).cursor
    for table in ("stg_web", "customer_identifiers", "customer_profiles"):
        instance.report_runless_asset_event(dg.AssetObservation(table, metadata={"rows_removed": 1}))
    result = dg.evaluate_automation_conditions(definitions, instance, cursor=cursor)
    assert result.total_requested == 0


def test_the_erasure_check_job_runs_the_check_alone_and_finds_what_came_back(
    instance, landing, warehouse_url
):
    land_day_one(landing)
    land(landing, "erasure/2026-11-21.csv", "request_id,ts,email\nE1,2026-11-21,ann.lee@example.com\n")
    run_pipeline(instance, landing, warehouse_url)
    resources = {"landing": LandingZone(root=str(landing)), "warehouse": Warehouse(url=warehouse_url)}
    definitions = build_definitions({**build_resources(), **resources})
    job = definitions.resolve_job_def("erasure_check")
    materialized = instance.get_latest_materialization_event(dg.AssetKey("erasures")).run_id

    result = job.execute_in_process(instance=instance)
    assert result.success
    run_id, evaluation = _latest_check(instance)
    assert run_id == result.run_id and evaluation.passed
    assert not result.get_asset_materialization_events()  # no erasure request is carried out
    assert instance.get_latest_materialization_event(dg.AssetKey("erasures")).run_id == materialized

    store = WarehouseStore(warehouse_url)
    with store.transaction() as tx:
        tx.connection.execute(
            sa.text(
                "INSERT INTO customer_identifiers (customer_id, id_type, id_value) "
                "VALUES ('c-x', 'email', 'ann.lee@example.com')"
            )
        )
    store.dispose()
    job.execute_in_process(instance=instance, raise_on_error=False)
    _, evaluation = _latest_check(instance)
    assert not evaluation.passed
    assert evaluation.metadata["tables_with_erased_rows"].value == "customer_identifiers (1)"


def test_the_erasure_check_runs_daily_on_its_own():
    schedule = build_definitions(build_resources()).resolve_schedule_def("daily_erasure_check")
    assert schedule.job_name == "erasure_check"
    assert schedule.cron_schedule == "0 5 * * *"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
