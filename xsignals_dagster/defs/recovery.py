"""The run-recovery sensor: under the UI and the daemon, dead runs are found and failed
every half minute (`xsignals run`, without the daemon, recovers before it starts)."""

import dagster as dg

from xsignals_dagster.recovery import recover_dead_runs

RECOVERY_INTERVAL_SECONDS = 30


@dg.sensor(
    name="run_recovery",
    description=(
        "Marks runs whose process died (killed, out of memory, a lost machine) failed and frees their "
        "slots of the pool `warehouse`, which would otherwise block every later run. The default run "
        "launcher cannot tell Dagster's run monitoring that a run's process is gone; this can."
    ),
    minimum_interval_seconds=RECOVERY_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def run_recovery_sensor(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    reasons = recover_dead_runs(context.instance)
    for reason in reasons:
        context.log.warning(reason)
    return dg.SkipReason("; ".join(reasons) or "no dead runs")
