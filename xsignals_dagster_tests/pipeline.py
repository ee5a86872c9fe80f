"""Run the whole asset graph on a test landing zone and warehouse, in a test instance."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from xsignals_dagster.headless import run_everything
from xsignals_dagster.resources import GroundTruth, LandingZone, Warehouse, build_resources


def run_pipeline(
    instance: dg.DagsterInstance, landing: Path, warehouse_url: str, truth: Path | None = None
) -> None:
    """Every asset once, with the project's default resources but this zone and warehouse."""
    run_everything(
        instance,
        landing,
        resources={
            **build_resources(),
            "landing": LandingZone(root=str(landing)),
            "warehouse": Warehouse(url=warehouse_url),
            "truth": GroundTruth(folder=str(truth) if truth else ""),
        },
    )
