"""Where things live and the environment variables that move them (CONTRACT §3)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / "data"

DEFAULTS = {
    "XSIGNALS_LANDING_DIR": str(DATA_DIR / "landing"),
    "XSIGNALS_WAREHOUSE_URL": f"sqlite:///{DATA_DIR / 'warehouse.db'}",
    "XSIGNALS_INTENT_HORIZON_DAYS": "14",
    "XSIGNALS_DEFAULT_REGION": "US",
    "DAGSTER_HOME": str(DATA_DIR / "dagster_home"),
    # A generated zone's truth folder: identity and intent then report accuracy against it.
    "XSIGNALS_TRUTH_DIR": "",
}


def setting(name: str) -> str:
    """The environment's value of a setting, or its documented default."""
    return os.environ.get(name) or DEFAULTS[name]
