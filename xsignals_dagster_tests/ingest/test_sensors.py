"""Landing sensor ticks: new, changed, in-flight and burst files; a lost cursor."""

from __future__ import annotations

import os

import dagster as dg
import pytest

from xsignals_dagster.defs.ingest import TRIGGER_TAG, landing_sensor
from xsignals_dagster.ingest.pipeline import ingest_source
from xsignals_dagster.partitions import PARTITION_RANGE_END_TAG, PARTITION_RANGE_START_TAG, extract_dates
from xsignals_dagster.resources import LandingZone, Warehouse
from xsignals_dagster_tests.ingest.landing_files import land

WEB = "event_id,ts,cookie_id,event_type\n"


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


@pytest.fixture
def resources(landing, tmp_path):
    return {
        "landing": LandingZone(root=str(landing)),
        "warehouse": Warehouse(url=f"sqlite:///{tmp_path / 'w.db'}"),
    }


def tick(instance, resources, cursor=None) -> dg.SensorResult:
    context = dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources)
    result = landing_sensor(context)
    for request in result.dynamic_partitions_requests:
        instance.add_dynamic_partitions(extract_dates.name, list(request.partition_keys))
    return result


def source_requests(result: dg.SensorResult) -> list[dg.RunRequest]:
    return [r for r in result.run_requests if not r.run_key.startswith("misfits:")]


def test_new_file_requests_its_partition_once(instance, resources, landing):
    land(landing, "web/2026-11-20.csv", WEB + "e1,2026-11-20,c1,page_view\n")
    first = tick(instance, resources)
    [request] = source_requests(first)
    assert request.partition_key == "2026-11-20"
    assert request.asset_selection == [dg.AssetKey("stg_web")]
    assert [list(r.partition_keys) for r in first.dynamic_partitions_requests] == [["2026-11-20"]]
    # Before the run has ingested it, the next tick asks for the same run key: Dagster launches it once.
    second = tick(instance, resources, first.cursor)
    assert [r.run_key for r in source_requests(second)] == [request.run_key]
    # A lost cursor changes nothing either: the key comes from path and content.
    assert [r.run_key for r in source_requests(tick(instance, resources))] == [request.run_key]
    ingest_source(resources["warehouse"].store, landing, "web", ["2026-11-20"], "US")
    assert source_requests(tick(instance, resources, second.cursor)) == []


def test_changed_file_triggers_again_and_in_flight_files_are_ignored(instance, resources, landing):
    path = land(landing, "web/2026-11-20.csv", WEB + "e1,2026-11-20,c1,page_view\n")
    land(landing, "web/2026-11-21.csv.part", "partial")
    land(landing, "web/.2026-11-22.csv", "hidden")
    first = tick(instance, resources)
    assert [r.partition_key for r in source_requests(first)] == ["2026-11-20"]
    ingest_source(resources["warehouse"].store, landing, "web", ["2026-11-20"], "US")
    path.write_text(WEB + "e1,2026-11-20,c1,page_view\ne2,2026-11-20,c1,search\n")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    [again] = source_requests(tick(instance, resources, first.cursor))
    assert again.partition_key == "2026-11-20" and again.run_key != source_requests(first)[0].run_key


def test_a_burst_becomes_one_run(instance, resources, landing):
    for day in range(1, 31):
        land(landing, f"web/2026-11-{day:02d}.csv", WEB + f"e{day},2026-11-{day:02d},c1,page_view\n")
        land(
            landing,
            f"email/2026-11-{day:02d}.csv",
            "event_id,ts,email,event_type\n" + f"m{day},2026-11-{day:02d},a@b.example,open\n",
        )
    result = tick(instance, resources)
    [request] = source_requests(result)
    assert request.asset_selection == [dg.AssetKey("stg_email"), dg.AssetKey("stg_web")]
    assert request.tags[PARTITION_RANGE_START_TAG] == "2026-11-01"
    assert request.tags[PARTITION_RANGE_END_TAG] == "2026-11-30"
    assert len(instance.get_dynamic_partitions(extract_dates.name)) == 30


def test_misfits_request_the_audit_only_when_they_change(instance, resources, landing):
    land(landing, "clicks/2026-11-20.csv", "x")
    first = tick(instance, resources)
    assert [r.asset_selection for r in first.run_requests] == [[dg.AssetKey("landing_misfits")]]
    assert tick(instance, resources, first.cursor).run_requests == []


def test_a_late_file_for_a_past_date_reruns_that_date(instance, resources, landing):
    land(landing, "web/2026-11-20.csv", WEB + "e1,2026-11-20,c1,page_view\n")
    first = tick(instance, resources)
    ingest_source(resources["warehouse"].store, landing, "web", ["2026-11-20"], "US")
    land(landing, "web/2026-11-10-late.csv", WEB + "e0,2026-11-10,c1,page_view\n")
    [late] = source_requests(tick(instance, resources, first.cursor))
    assert late.partition_key == "2026-11-10"


def test_no_new_run_while_an_ingestion_run_is_in_progress(instance, resources, landing):
    land(landing, "web/2026-11-20.csv", WEB + "e1,2026-11-20,c1,page_view\n")
    # a run some other process started: only its record in the instance matters to the sensor
    instance.add_run(
        dg.DagsterRun(
            job_name="__ASSET_JOB",
            status=dg.DagsterRunStatus.STARTED,
            tags={TRIGGER_TAG: "landing_sensor"},
        )
    )
    context = dg.build_sensor_context(instance=instance, resources=resources)
    result = landing_sensor(context)
    assert isinstance(result, dg.SkipReason) and "in progress" in result.skip_message
