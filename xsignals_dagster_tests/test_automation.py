"""The daily rebuild schedule and the automation sensor are defined, on, and aim downstream."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from xsignals_dagster.definitions import defs


def test_daily_rebuild_tick_requests_everything_downstream_of_ingestion():
    schedule = defs.resolve_schedule_def("daily_rebuild")
    assert schedule.cron_schedule == "0 4 * * *"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(instance=instance, scheduled_execution_time=dt.datetime(2026, 11, 22, 4, 0))
        [request] = schedule.evaluate_tick(context).run_requests
    assert request.job_name in (None, schedule.job_name)
    job = defs.resolve_job_def(schedule.job_name)
    selected = {key.to_user_string() for key in job.asset_layer.selected_asset_keys}
    assert {"customer_identifiers", "erasures", "customer_profiles", "intent_scores", "next_best_actions"} <= selected
    assert not any(name.startswith("stg_") for name in selected)


def test_automation_sensor_is_on_by_default():
    for name in ("downstream_automation", "landing_sensor"):
        assert defs.resolve_sensor_def(name).default_status == dg.DefaultSensorStatus.RUNNING
