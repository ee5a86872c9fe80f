"""The one Definitions object the web UI, the daemon and `xsignals run` all load."""

import dagster as dg

from xsignals_dagster.automation import automation_sensor, daily_rebuild_schedule
from xsignals_dagster.identity.assets import identity_resolution
from xsignals_dagster.ingest.assets import landing_misfits, source_assets
from xsignals_dagster.ingest.sensors import landing_sensor
from xsignals_dagster.intent.assets import intent_model, intent_scores, intent_training_set, next_best_actions_asset
from xsignals_dagster.privacy.assets import erasures
from xsignals_dagster.recovery import run_recovery_sensor
from xsignals_dagster.resources import build_resources
from xsignals_dagster.signals.assets import customer_signals


DOWNSTREAM = dg.AssetSelection.all() - dg.AssetSelection.groups("ingest")


def build_definitions(resources: dict[str, dg.ConfigurableResource]) -> dg.Definitions:
    return dg.Definitions(
        assets=[
            *source_assets,
            landing_misfits,
            identity_resolution,
            erasures,
            customer_signals,
            intent_training_set,
            intent_model,
            intent_scores,
            next_best_actions_asset,
        ],
        sensors=[landing_sensor, automation_sensor(DOWNSTREAM), run_recovery_sensor],
        schedules=[daily_rebuild_schedule(DOWNSTREAM)],
        resources=resources,
    )


defs = build_definitions(build_resources())
