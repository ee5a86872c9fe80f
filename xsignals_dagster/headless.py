"""`xsignals run`: ingest everything landed, then materialize every other asset once.

Runs go through the same Definitions the web UI loads and into the instance at
DAGSTER_HOME, so they show in the UI like any other run.
"""

from __future__ import annotations

import logging
from pathlib import Path

import dagster as dg

from xsignals_dagster.contract.sources import SOURCES
from xsignals_dagster.definitions import build_definitions, defs
from xsignals_dagster.ingest.landing import scan
from xsignals_dagster.partitions import (
    PARTITION_RANGE_END_TAG,
    PARTITION_RANGE_START_TAG,
    SKIP_UNCHANGED_TAG,
    extract_dates,
)
from xsignals_dagster.recovery import recover_dead_runs

log = logging.getLogger("xsignals.run")


class RunFailed(Exception):
    """A run did not succeed; the message is the one-line reason. `interrupted`: a signal
    (SIGINT, or SIGTERM made one by `xsignals run`) stopped it."""

    def __init__(self, message: str, interrupted: bool = False):
        super().__init__(message)
        self.interrupted = interrupted


def register_extract_dates(instance: dg.DagsterInstance, landing_root: Path) -> list[str]:
    """Add a partition for every extract date that has landed; return all partitions in order."""
    landed, _ = scan(landing_root)
    known = set(instance.get_dynamic_partitions(extract_dates.name))
    new = sorted({f.extract_date for f in landed} - known)
    if new:
        instance.add_dynamic_partitions(extract_dates.name, new)
        log.info("new extract dates: %s", ", ".join(new))
    return list(instance.get_dynamic_partitions(extract_dates.name))


def _failure(stage: str, result: dg.ExecuteInProcessResult) -> RunFailed:
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            while error.cause is not None:  # Dagster wraps the user's error; report the root cause
                error = error.cause
            if error.cls_name == "DagsterExecutionInterruptedError":
                return RunFailed(
                    f"{stage} run {result.run_id}: step {event.step_key} interrupted", interrupted=True
                )
            # One line however many the error has (a driver's message may continue on a second
            # line with the hint that explains it).
            message = " ".join(error.message.split()) or error.cls_name or "error"
            return RunFailed(f"{stage} run {result.run_id}: step {event.step_key} failed: {message}")
    return RunFailed(f"{stage} run {result.run_id}: run failed")


def run_everything(
    instance: dg.DagsterInstance,
    landing_root: Path,
    resources: dict | None = None,
    leave_out_groups: frozenset[str] = frozenset(),
) -> None:
    """Ingest every landed date of every source in one run, then everything downstream in
    another; `resources` replaces the environment's and `leave_out_groups` stops short of
    some asset groups (tests)."""
    for reason in recover_dead_runs(instance):  # a dead run's pool slot would block this one forever
        log.warning("recovered %s", reason)
    definitions = build_definitions(resources) if resources else defs
    job = definitions.resolve_implicit_global_asset_job_def()
    partitions = register_extract_dates(instance, landing_root)
    source_keys = [dg.AssetKey(schema.table) for schema in SOURCES.values()]
    stages = []
    if partitions:
        stages.append(
            (
                "ingest",
                source_keys,
                {
                    PARTITION_RANGE_START_TAG: partitions[0],
                    PARTITION_RANGE_END_TAG: partitions[-1],
                    SKIP_UNCHANGED_TAG: "true",
                },
            )
        )
    else:
        log.warning("nothing has landed under %s", landing_root)
    graph = definitions.resolve_asset_graph()
    downstream = [
        key
        for key in graph.get_all_asset_keys()
        if key not in source_keys and graph.get(key).group_name not in leave_out_groups
    ]
    stages.append(("downstream", downstream, {}))
    for stage, keys, tags in stages:
        log.info("%s: materializing %d assets", stage, len(keys))
        result = job.execute_in_process(
            instance=instance,
            asset_selection=keys,
            tags={"xsignals/stage": stage, **tags},
            raise_on_error=False,
        )
        if not result.success:
            raise _failure(stage, result)
        log.info("%s: run %s succeeded", stage, result.run_id)
