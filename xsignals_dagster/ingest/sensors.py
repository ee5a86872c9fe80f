"""The landing sensor: new or changed files become runs of their source's partitions."""

import hashlib
import json

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from xsignals_dagster.contract.sources import SOURCES
from xsignals_dagster.ingest.assets import landing_misfits
from xsignals_dagster.ingest.changes import FileState, file_states, pending_by_source, processed_files
from xsignals_dagster.ingest.landing import scan
from xsignals_dagster.partitions import extract_dates
from xsignals_dagster.resources import LandingZone, Warehouse

LANDING_SENSOR_INTERVAL_SECONDS = 30
TRIGGER_TAG = "xsignals/trigger"
IN_PROGRESS = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def _digest(items: list[str]) -> str:
    return hashlib.sha1("\n".join(sorted(items)).encode()).hexdigest()[:16]


def _cursor_states(cursor: str | None) -> tuple[dict[str, FileState], str]:
    if not cursor:
        return {}, ""
    saved = json.loads(cursor)
    return {path: FileState(*state) for path, state in saved["files"].items()}, saved.get("misfits", "")


@dg.sensor(
    name="landing_sensor",
    description=(
        "Watches the landing zone. Each new or changed file (by path and content, checked against "
        "`ingested_files` and `quarantined_files`, so a lost cursor re-runs nothing) leads to a run of "
        "its source's partition for the file's date; everything new in one tick (a burst: a whole month "
        "landing at once) becomes one run over those sources and dates. While that run is in progress "
        "the sensor waits. In-flight names are ignored."
    ),
    minimum_interval_seconds=LANDING_SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    asset_selection=[*(dg.AssetKey(s.table) for s in SOURCES.values()), landing_misfits.key],
)
def landing_sensor(
    context: dg.SensorEvaluationContext, landing: LandingZone, warehouse: Warehouse
) -> dg.SensorResult | dg.SkipReason:
    cache, misfit_digest = _cursor_states(context.cursor)
    busy = context.instance.get_run_ids(
        filters=dg.RunsFilter(statuses=IN_PROGRESS, tags={TRIGGER_TAG: "landing_sensor"}), limit=1
    )
    if busy:
        # The warehouse does not show that run's files yet: asking now would ingest them twice.
        return dg.SkipReason(
            f"ingestion run {busy[0]} is still in progress; new files wait for the next tick"
        )
    landed, misfits = scan(landing.path)
    states = file_states(landed, cache)
    pending = pending_by_source(landed, states, processed_files(warehouse.store))
    partitions = list(context.instance.get_dynamic_partitions(extract_dates.name))
    new_dates = sorted({f.extract_date for files in pending.values() for f in files} - set(partitions))
    order = {date: i for i, date in enumerate([*partitions, *new_dates])}
    run_requests = []
    if pending:
        files = [f for source in sorted(pending) for f in pending[source]]
        dates = sorted({f.extract_date for f in files}, key=order.__getitem__)
        partition = {"partition_key": dates[0]} if len(dates) == 1 else {}
        tags = (
            {}
            if partition
            else {ASSET_PARTITION_RANGE_START_TAG: dates[0], ASSET_PARTITION_RANGE_END_TAG: dates[-1]}
        )
        run_requests.append(
            dg.RunRequest(
                run_key="ingest:" + _digest([f"{f.path}:{states[f.path].sha256}" for f in files]),
                asset_selection=[dg.AssetKey(SOURCES[source].table) for source in sorted(pending)],
                tags={**tags, TRIGGER_TAG: "landing_sensor"},
                **partition,
            )
        )
        for source in sorted(pending):
            source_dates = sorted({f.extract_date for f in pending[source]})
            context.log.info(
                f"{source}: {len(pending[source])} new or changed file(s) for {', '.join(source_dates)}"
            )
    misfit_now = _digest([f"{m.path}:{m.reason}" for m in misfits])
    if misfit_now != misfit_digest:
        run_requests.append(
            dg.RunRequest(run_key=f"misfits:{misfit_now}", asset_selection=[landing_misfits.key])
        )
        context.log.info(f"{len(misfits)} file(s) outside the landing pattern")
    if not run_requests:
        context.log.info(f"{len(landed)} landed file(s), nothing new")
    cursor = {
        "files": {path: [s.size, s.mtime_ns, s.sha256] for path, s in states.items()},
        "misfits": misfit_now,
    }
    return dg.SensorResult(
        run_requests=run_requests,
        dynamic_partitions_requests=[extract_dates.build_add_request(new_dates)] if new_dates else [],
        cursor=json.dumps(cursor),
    )
