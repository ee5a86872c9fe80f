"""The automation sensor and the daily rebuild, over everything downstream of ingestion.

Ingestion has its own trigger (the landing sensor): its partitions follow the files that
land, which neither a condition nor a cron can know.
"""

import dagster as dg

from xsignals_dagster.automation import AUTOMATION_INTERVAL_SECONDS, DAILY_REBUILD_CRON

DOWNSTREAM = dg.AssetSelection.all() - dg.AssetSelection.groups("ingest")

# On by default: Dagster's own default automation sensor is off.
downstream_automation = dg.AutomationConditionSensorDefinition(
    "downstream_automation",
    target=DOWNSTREAM,
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=AUTOMATION_INTERVAL_SECONDS,
    description=(
        "Refreshes identity, erasures, signals, profiles, scores and actions after ingestion; "
        "retrains weekly."
    ),
)

# Rebuilds everything downstream of ingestion once a day, whatever automation did.
daily_rebuild = dg.ScheduleDefinition(
    name="daily_rebuild",
    target=DOWNSTREAM,
    cron_schedule=DAILY_REBUILD_CRON,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Rebuilds identity, signals, profiles, scores and actions from everything ingested.",
)
