"""One asset per landing source (built from its schema entry), and the landing-zone audit."""

import warnings

import dagster as dg
import pandas as pd

from xsignals_dagster.contract.sources import SOURCES, SourceSchema
from xsignals_dagster.contract.tables import quarantined_files
from xsignals_dagster.contract.vocabularies import WAREHOUSE_POOL
from xsignals_dagster.ingest.landing import scan
from xsignals_dagster.ingest.pipeline import PartitionOutcome, ingest_source
from xsignals_dagster.partitions import extract_dates
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
