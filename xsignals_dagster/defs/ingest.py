"""Ingestion: one asset per landing source (built from its schema entry), the landing-zone
audit, and the landing sensor that turns new or changed files into runs of their partitions."""

import hashlib
import json
import warnings

import dagster as dg
import pandas as pd

from xsignals_dagster.contract.sources import SOURCES, SourceSchema
from xsignals_dagster.contract.tables import quarantined_files
from xsignals_dagster.contract.vocabularies import WAREHOUSE_POOL
from xsignals_dagster.ingest.changes import (
    FileState,
    file_states,
    pending_by_source,
    processed_files,
)
from xsignals_dagster.ingest.landing import scan
from xsignals_dagster.ingest.pipeline import PartitionOutcome, ingest_source
from xsignals_dagster.partitions import (
    PARTITION_RANGE_END_TAG,
    PARTITION_RANGE_START_TAG,
    SKIP_UNCHANGED_TAG,
    extract_dates,
)
from xsignals_dagster.resources import LandingZone, Warehouse
from xsignals_dagster.warehouse.store import utc_now

MAX_REJECTED_SHARE = 0.05

FILES_TABLE_ROWS = 100


def _metadata(outcomes: list[PartitionOutcome]) -> dict[str, dg.MetadataValue | int | float | str]:
    files = [f for o in outcomes for f in o.files]
    read = sum(f.rows_read for f in files)
    rejected = sum(f.rows_rejected for f in files)
    return {
        "extract_dates": ", ".join(o.extract_date for o in outcomes),
        "files": len(files),
        "files_duplicate": sum(f.status == "duplicate" for f in files),
        "files_quarantined": sum(f.status == "quarantined" for f in files),
        "rows_read": read,
        "rows_loaded": sum(f.rows_loaded for f in files),
        "rows_rejected": rejected,
        "values_blanked": sum(f.values_blanked for f in files),
        "rejected_share": round(rejected / read, 6) if read else 0.0,
        "files_table": dg.MetadataValue.md(
            pd.DataFrame([vars(f) for f in files[:FILES_TABLE_ROWS]])
            .drop(columns="sha256")
            .to_markdown(index=False)
            if files
            else "no files"
        ),
    }


def build_source_asset(schema: SourceSchema) -> dg.AssetsDefinition:
    @dg.asset(
        name=schema.table,
        group_name="ingest",
        kinds={"pandas", "sql"},
        description=(
            f"Rows of the `{schema.name}` landing source, validated per CONTRACT §1 and loaded into "
            f"`{schema.table}` (key: {' + '.join(schema.key)}). One partition per extract date; "
            "rejected rows, blanked values and quarantined files go to the bookkeeping tables."
        ),
        partitions_def=extract_dates,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=WAREHOUSE_POOL,
        check_specs=[
            dg.AssetCheckSpec(
                "no_quarantined_files", asset=schema.table, description="No file of this run was quarantined."
            ),
            dg.AssetCheckSpec(
                "rejected_share_below_threshold",
                asset=schema.table,
                description=f"At most {MAX_REJECTED_SHARE:.0%} of the rows read were rejected.",
            ),
        ],
    )
    def _source(
        context: dg.AssetExecutionContext, landing: LandingZone, warehouse: Warehouse
    ) -> dg.MaterializeResult:
        outcomes = ingest_source(
            warehouse.store,
            landing.path,
            schema.name,
            list(context.partition_keys),
            landing.default_region,
            context.log,
            skip_unchanged=context.run.tags.get(SKIP_UNCHANGED_TAG) == "true",
        )
        metadata = _metadata(outcomes)
        quarantined = [f.path for o in outcomes for f in o.files if f.status == "quarantined"]
        return dg.MaterializeResult(
            metadata=metadata,
            check_results=[
                dg.AssetCheckResult(
                    check_name="no_quarantined_files",
                    passed=not quarantined,
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata={"quarantined": ", ".join(quarantined) or "none"},
                ),
                dg.AssetCheckResult(
                    check_name="rejected_share_below_threshold",
                    passed=metadata["rejected_share"] <= MAX_REJECTED_SHARE,
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata={"rejected_share": metadata["rejected_share"], "threshold": MAX_REJECTED_SHARE},
                ),
            ],
        )

    return _source


with warnings.catch_warnings():  # single-run backfills are "beta" in Dagster, and relied on here
    warnings.simplefilter("ignore", dg.BetaWarning)
    source_assets = [build_source_asset(schema) for schema in SOURCES.values()]


@dg.asset(
    group_name="ingest",
    kinds={"python", "sql"},
    description=(
        "Files under the landing root that do not fit `<source>/<YYYY-MM-DD>[…].<ext>` (unknown "
        "source folder, no leading date, other extension): never read, listed in `quarantined_files`."
    ),
    pool=WAREHOUSE_POOL,
)
def landing_misfits(
    context: dg.AssetExecutionContext, landing: LandingZone, warehouse: Warehouse
) -> dg.MaterializeResult:
    landed, misfits = scan(landing.path)
    frame = pd.DataFrame(
        [
            {
                "source": m.source,
                "path": m.path,
                "reason": m.reason,
                "quarantined_at": utc_now(),
                "extract_date": None,
            }
            for m in misfits
        ],
        columns=[c.name for c in quarantined_files.columns],
    )
    with warehouse.store.transaction() as tx:
        tx.ensure_table(quarantined_files)
        tx.delete(quarantined_files, {"extract_date": None})
        tx.insert(quarantined_files, frame)
    for misfit in misfits:
        context.log.warning(f"not read: {misfit.path}: {misfit.reason}")
    return dg.MaterializeResult(
        metadata={
            "landed_files": len(landed),
            "misfit_files": len(misfits),
            "landing_root": str(landing.path),
        }
    )


LANDING_SENSOR_INTERVAL_SECONDS = 10
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
        tags = {} if partition else {PARTITION_RANGE_START_TAG: dates[0], PARTITION_RANGE_END_TAG: dates[-1]}
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
