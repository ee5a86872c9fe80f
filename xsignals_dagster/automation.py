"""How assets downstream of ingestion refresh by themselves: the conditions and crons the
asset definitions, the automation sensor and the daily rebuild (defs/automation.py) use.

Declarative automation, evaluated by the daemon: an asset downstream of ingestion runs
when it is missing or any dependency was updated (or will be in the same tick, so a
whole chain refreshes in one run), and nothing it needs is in progress. This is
Dagster's `eager()` without two of its clauses: eager waits while any upstream partition
is missing, which with one partition per extract date and sources that do not land
every day would never end, and it ignores assets that were already missing when the
condition was first evaluated. The intent model retrains on its own weekly cadence;
scores refresh whenever the profile does. Until a model could be trained (a check of the
training set or of the model fails, e.g. the data is still shorter than the label window)
the pair is retried whenever its inputs change, so a fresh instance does not wait for
Monday to score anyone.
"""

import dagster as dg

# Upstream assets that are missing (and not about to run in the same tick) or still running, or
# whose own inputs are still running. Ingestion is left out as a dependency: its partitions are
# per extract date, and most sources lack some. The second level matters while ingestion runs:
# `erasures` needs stg_erasure and the identity tables; once stg_erasure has loaded, it would
# start on the old identity while stg_web, which identity reads, is still loading, and identity,
# signals and scores would follow one automation tick and one run each (a fresh 2,000 x 60 zone
# then scored 151 s after landing instead of in one downstream run).
_UPSTREAM_NOT_READY = dg.AutomationCondition.any_deps_match(
    (dg.AutomationCondition.missing() & ~dg.AutomationCondition.will_be_requested())
    | dg.AutomationCondition.in_progress()
    | dg.AutomationCondition.any_deps_in_progress()
).ignore(dg.AssetSelection.groups("ingest"))

DOWNSTREAM_REFRESH = (
    (dg.AutomationCondition.missing() | dg.AutomationCondition.any_deps_updated()).since_last_handled()
    & ~_UPSTREAM_NOT_READY
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
).with_label("refresh when upstream changes")

MODEL_RETRAIN_CRON = "0 3 * * 1"  # Mondays 03:00 UTC
_RETRY_WHILE_A_CHECK_FAILS = (
    dg.AutomationCondition.any_deps_updated()
    & dg.AutomationCondition.any_checks_match(dg.AutomationCondition.check_failed())
).with_label("upstream updated while a check fails")
MODEL_RETRAIN = (
    (
        dg.AutomationCondition.cron_tick_passed(MODEL_RETRAIN_CRON)
        | dg.AutomationCondition.missing()
        | _RETRY_WHILE_A_CHECK_FAILS
    ).since_last_handled()
    & ~_UPSTREAM_NOT_READY
    & ~dg.AutomationCondition.in_progress()
).with_label(f"weekly ({MODEL_RETRAIN_CRON}), when missing, or retried while a check fails")

DAILY_REBUILD_CRON = "0 4 * * *"  # 04:00 UTC
AUTOMATION_INTERVAL_SECONDS = 15

ERASURE_CHECK_CRON = "0 5 * * *"  # 05:00 UTC, after the daily rebuild
