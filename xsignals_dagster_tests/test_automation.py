"""The daily rebuild schedule and the automation sensor are defined, on, and aim downstream;
the model retrains on its cadence, or sooner while it could not be trained."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import dagster as dg

from xsignals_dagster.definitions import build_definitions, defs
from xsignals_dagster.demo.generate import generate
from xsignals_dagster.headless import run_everything
from xsignals_dagster.resources import IntentConfig, LandingZone, Warehouse, build_resources


def test_daily_rebuild_tick_requests_everything_downstream_of_ingestion():
    schedule = defs.resolve_schedule_def("daily_rebuild")
    assert schedule.cron_schedule == "0 4 * * *"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(
            instance=instance, scheduled_execution_time=dt.datetime(2026, 11, 22, 4, 0)
        )
        [request] = schedule.evaluate_tick(context).run_requests
    assert request.job_name in (None, schedule.job_name)
    job = defs.resolve_job_def(schedule.job_name)
    selected = {key.to_user_string() for key in job.asset_layer.selected_asset_keys}
    assert {
        "customer_identifiers",
        "erasures",
        "customer_profiles",
        "intent_scores",
        "next_best_actions",
    } <= selected
    assert not any(name.startswith("stg_") for name in selected)


def test_automation_sensor_is_on_by_default():
    for name in ("downstream_automation", "landing_sensor"):
        assert defs.resolve_sensor_def(name).default_status == dg.DefaultSensorStatus.RUNNING


def _land(generated: Path, landing: Path, dates: Callable[[str], bool]) -> None:
    """Copy the generated files whose extract date passes `dates` into the landing zone."""
    for file in sorted(generated.rglob("*.*")):
        if dates(file.name[:10]):
            target = landing / file.relative_to(generated)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)


def _requested(result) -> set[str]:
    return {
        key.to_user_string()
        for key in defs.resolve_asset_graph().get_all_asset_keys()
        if result.get_num_requested(key)
    }


def test_model_retries_while_it_cannot_train_then_keeps_its_weekly_cadence(tmp_path: Path):
    """A fresh instance must not wait for Monday: a label-free model scores everyone from the
    first data, and while the training set or the model fails its check, new data re-requests
    both; the supervised model takes over once it can train, and then new data refreshes
    scores only."""
    zone, landing = tmp_path / "generated", tmp_path / "landing"
    generate(400, 36, seed=5, out=zone, end_date=dt.date(2026, 11, 21))
    resources = {
        **build_resources(),
        "landing": LandingZone(root=str(landing)),
        "warehouse": Warehouse(url=f"sqlite:///{tmp_path / 'warehouse.db'}"),
        "intent_config": IntentConfig(horizon_days=7),
    }
    with dg.instance_for_test() as instance:
        # Loaded while an instance is open: Dagster reads its defs state through the current one.
        definitions = build_definitions(resources)
        _land(zone / "landing", landing, lambda day: day <= "2026-10-20")  # shorter than the label window
        run_everything(instance, landing, resources)
        untrained = instance.get_latest_materialization_event(
            dg.AssetKey("intent_model")
        ).asset_materialization
        assert untrained.metadata["reason"].value.startswith("no supervised model: ")
        fallback = instance.get_latest_materialization_event(
            dg.AssetKey("intent_scores")
        ).asset_materialization
        assert fallback.metadata["kind"].value in ("bg-nbd", "engagement-recency")
        store = resources["warehouse"].store
        scores, profiles = store.read_table("intent_scores"), store.read_table("customer_profiles")
        assert len(profiles) and set(scores["customer_id"]) == set(
            profiles["customer_id"]
        )  # everyone, from day one
        assert scores["model_version"].str.startswith(fallback.metadata["kind"].value + "-").all()
        cursor = dg.evaluate_automation_conditions(definitions, instance).cursor

        _land(zone / "landing", landing, lambda day: "2026-10-20" < day < "2026-11-21")
        run_everything(instance, landing, resources, leave_out_groups=frozenset({"intent"}))
        after_data = dg.evaluate_automation_conditions(definitions, instance, cursor=cursor)
        assert {"intent_training_set", "intent_model", "intent_scores", "next_best_actions"} <= _requested(
            after_data
        )

        run_everything(instance, landing, resources)
        model = instance.get_latest_materialization_event(dg.AssetKey("intent_model")).asset_materialization
        assert model.metadata["kind"].value == "supervised", model.metadata.get("reason")
        assert store.read_table("intent_scores")["model_version"].str.startswith("supervised-").all()
        cursor = dg.evaluate_automation_conditions(definitions, instance, cursor=after_data.cursor).cursor

        _land(zone / "landing", landing, lambda day: day == "2026-11-21")
        run_everything(instance, landing, resources, leave_out_groups=frozenset({"intent"}))
        next_day = _requested(dg.evaluate_automation_conditions(definitions, instance, cursor=cursor))
        assert {"intent_scores", "next_best_actions"} <= next_day
        assert not {"intent_training_set", "intent_model"} & next_day
