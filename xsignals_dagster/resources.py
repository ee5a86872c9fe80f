"""Dagster resources: the landing zone and the warehouse, configured from the environment."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import dagster as dg
import pandas as pd

from xsignals_dagster.settings import DEFAULTS
from xsignals_dagster.warehouse import WarehouseStore


def env_or_default(name: str) -> str | dg.EnvVar:
    """`dg.EnvVar(name)` when the variable is set (the UI shows where a value came from), else the default."""
    return dg.EnvVar(name) if os.environ.get(name) else DEFAULTS[name]


class LandingZone(dg.ConfigurableResource):
    """The folder files land in, one sub-folder per source (CONTRACT §1)."""

    root: str
    default_region: str = "US"

    @property
    def path(self) -> Path:
        return Path(self.root).expanduser().resolve()


@functools.cache
def _store(url: str) -> WarehouseStore:
    return WarehouseStore(url)


class Warehouse(dg.ConfigurableResource):
    """The SQLAlchemy warehouse every asset writes through (CONTRACT §2)."""

    url: str

    @property
    def store(self) -> WarehouseStore:
        return _store(self.url)


class GroundTruth(dg.ConfigurableResource):
    """A generated zone's `truth/` folder, when one is configured: accuracy metrics use it."""

    folder: str = ""

    def read(self, name: str) -> pd.DataFrame | None:
        path = Path(self.folder).expanduser() / name
        return (
            pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
            if self.folder and path.exists()
            else None
        )


class IntentConfig(dg.ConfigurableResource):
    """The purchase window intent scores predict (CONTRACT §2 `horizon_days`)."""

    horizon_days: int = 14


def build_resources() -> dict[str, dg.ConfigurableResource]:
    return {
        "landing": LandingZone(
            root=env_or_default("XSIGNALS_LANDING_DIR"),
            default_region=env_or_default("XSIGNALS_DEFAULT_REGION"),
        ),
        "warehouse": Warehouse(url=env_or_default("XSIGNALS_WAREHOUSE_URL")),
        "truth": GroundTruth(folder=env_or_default("XSIGNALS_TRUTH_DIR")),
        "intent_config": IntentConfig(
            horizon_days=dg.EnvVar.int("XSIGNALS_INTENT_HORIZON_DAYS")
            if os.environ.get("XSIGNALS_INTENT_HORIZON_DAYS")
            else int(DEFAULTS["XSIGNALS_INTENT_HORIZON_DAYS"])
        ),
    }
