"""How assets downstream of ingestion refresh by themselves, and the daily rebuild.

Declarative automation, evaluated by the daemon: an asset downstream of ingestion runs
when any dependency was updated (or will be in the same tick, so a whole chain refreshes
in one run) and nothing it needs is in progress. Dagster's `eager()` would also wait
while any upstream partition is missing, which with one partition per extract date and
sources that do not land every day would never end; that clause is dropped. The intent
model retrains on its own weekly cadence; scores refresh whenever the profile does.
"""

import dagster as dg

DOWNSTREAM_REFRESH = dg.AutomationCondition.eager().without(~dg.AutomationCondition.any_deps_missing())

MODEL_RETRAIN_CRON = "0 3 * * 1"  # Mondays 03:00 UTC
MODEL_RETRAIN = dg.AutomationCondition.on_cron(MODEL_RETRAIN_CRON) | (
    dg.AutomationCondition.missing() & ~dg.AutomationCondition.any_deps_in_progress() & ~dg.AutomationCondition.in_progress()
).since_last_handled()

DAILY_REBUILD_CRON = "0 4 * * *"  # 04:00 UTC


def daily_rebuild_schedule(downstream: dg.AssetSelection) -> dg.ScheduleDefinition:
    """Rebuild everything downstream of ingestion once a day, whatever automation did."""
    return dg.ScheduleDefinition(
        name="daily_rebuild",
        target=downstream,
        cron_schedule=DAILY_REBUILD_CRON,
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Rebuilds identity, signals, profiles, scores and actions from everything ingested.",
    )
