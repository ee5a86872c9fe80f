"""Erasure as an asset: after identity resolution, before any signal is derived; and the check
that nothing erased is left, which also runs on its own every day."""

import dagster as dg

from xsignals_dagster.automation import DOWNSTREAM_REFRESH, ERASURE_CHECK_CRON
from xsignals_dagster.contract.tables import (
    BOOKKEEPING_TABLE_NAMES,
    IDENTITY_TABLES,
    MATCH_MODEL_TABLE,
    erasure_audit,
)
from xsignals_dagster.contract.vocabularies import WAREHOUSE_POOL
from xsignals_dagster.privacy.erasure import find_erased, pending_requests, process_erasures
from xsignals_dagster.resources import LandingZone, Warehouse


@dg.asset(
    group_name="privacy",
    kinds={"pandas", "sql"},
    description=(
        "Carries out erasure requests: the person's identifiers join a suppression list of salted "
        "hashes, and every row holding one of them or belonging to them is deleted from every table "
        "(rejected rows included); identity is then resolved again from the records that remain. "
        "`erasure_audit`, the table this asset materializes, records each request, without the values."
    ),
    deps=["stg_erasure", *IDENTITY_TABLES],
    metadata={"dagster/table_name": erasure_audit.name},
    automation_condition=DOWNSTREAM_REFRESH,
    pool=WAREHOUSE_POOL,
)
def erasures(
    context: dg.AssetExecutionContext, warehouse: Warehouse, landing: LandingZone
) -> dg.MaterializeResult:
    """Removes rows from other assets' tables, and rewrites the identity tables when identity's
    inputs lost rows: each such asset gets an observation saying how many rows, for which
    requests and whether it was resolved again, so its catalog page shows the change. An
    observation, not a materialization: everything downstream of these tables already waits for
    this asset, and automation must not refresh downstream for it a second time."""
    request_ids = ", ".join(pending_requests(warehouse.store)["request_id"])
    report = process_erasures(warehouse.store, landing.default_region, context.run.run_id)
    if report.requests:
        context.log.info(
            f"{report.requests} erasure request(s): {report.customers} customer(s), "
            f"{report.identifiers} identifier(s) suppressed, rows removed: {report.rows_removed}"
        )
    if report.identity_resolved_again:
        context.log.info("Identity resolved again from the records that remain, as the next run would")
    # Every table is an asset named after it or bookkeeping (test_definitions holds this); the two
    # assets whose tables have other names, erasures and intent_model, hold nothing erasure removes.
    resolved_again = (*IDENTITY_TABLES, MATCH_MODEL_TABLE) if report.identity_resolved_again else ()
    for table in sorted(set(report.rows_removed) | set(resolved_again)):
        if table not in BOOKKEEPING_TABLE_NAMES:
            metadata = {
                "rows_removed": report.rows_removed.get(table, 0),
                "request_ids": request_ids,
                "resolved_again": table in resolved_again,
            }
            context.log_event(dg.AssetObservation(asset_key=table, metadata=metadata))
    return dg.MaterializeResult(
        metadata={
            "requests_processed": report.requests,
            "customers_erased": report.customers,
            "identifiers_suppressed": report.identifiers,
            "rows_removed": sum(report.rows_removed.values()),
        },
    )


# Without an automation condition of its own the check runs with every materialization of
# `erasures` (automation, the daily rebuild, `xsignals run`), as before; the schedule below
# also runs it alone, so data that reached a table some other way is found within a day.
@dg.asset_check(
    asset=erasures,
    description=(
        "No table holds an identifier of an erased person. After a clean check, the next one against the "
        "same suppression list re-reads only the extract dates that changed since; tables without extract "
        "dates are read in full every time."
    ),
    pool=WAREHOUSE_POOL,  # a clean check records what it saw in `erasure_verification`
)
def no_erased_identifiers(warehouse: Warehouse, landing: LandingZone) -> dg.AssetCheckResult:
    remaining = find_erased(warehouse.store, landing.default_region)
    return dg.AssetCheckResult(
        passed=not remaining,
        metadata={"tables_with_erased_rows": ", ".join(f"{t} ({n})" for t, n in remaining.items()) or "none"},
    )


erasure_check = dg.define_asset_job(
    "erasure_check",
    selection=dg.AssetSelection.checks(no_erased_identifiers),
    description="Looks for erased identifiers in every table, without carrying out any erasure request.",
)

daily_erasure_check = dg.ScheduleDefinition(
    name="daily_erasure_check",
    job=erasure_check,
    cron_schedule=ERASURE_CHECK_CRON,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Runs the check that no table holds an identifier of an erased person, every day.",
)
