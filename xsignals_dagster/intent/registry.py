"""The model registry: every supervised intent model trained, with its version (which starts
with its kind), horizon, features and evidence, in the warehouse table `intent_models`; the
newest one for the configured horizon scores. Label-free models are fitted at scoring time and
not kept.

Each entry's evidence holds the fingerprint of what trained it (training set, purchases,
horizon, settings, the intent package's code and scikit-learn's version). Training the same recipe on
the same data again gives the same model, so the model asset keeps the newest entry instead:
a run re-run after a crash, or a retrain on data that has not changed, adds no second entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from xsignals_dagster.contract.tables import intent_models
from xsignals_dagster.intent.model import IntentModel, IntentSettings

FINGERPRINT_KEY = "training_fingerprint"


@dataclass(frozen=True)
class RegisteredModel:
    model: IntentModel
    training_fingerprint: str | None  # None for entries registered before fingerprints were kept


def training_fingerprint(
    training_set: pd.DataFrame, purchases: pd.DataFrame, horizon_days: int, settings: IntentSettings
) -> str:
    """A hash of everything a trained model depends on. Row order is not data: rows are hashed
    one by one and their hashes sorted."""
    digest = hashlib.sha256(repr((horizon_days, asdict(settings), version("scikit-learn"))).encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):  # the recipe: this package's code
        digest.update(module.read_bytes())
    for frame in (training_set, purchases):
        columns = sorted(frame.columns)
        digest.update(repr(columns).encode())
        rows = pd.util.hash_pandas_object(frame[columns], index=False).to_numpy(np.uint64)
        digest.update(np.sort(rows).tobytes())
    return digest.hexdigest()


def newest_models(store, horizon_days: int, count: int) -> list[RegisteredModel]:
    """The `count` newest entries that predict `horizon_days`, newest first (a model of another
    horizon answers another question)."""
    if not store.has_table(intent_models.name):
        return []
    newest = (
        sa.select(intent_models.c.model, intent_models.c.metrics)
        .where(intent_models.c.horizon_days == horizon_days)
        .order_by(intent_models.c.trained_at.desc())
        .limit(count)
    )
    return [
        RegisteredModel(IntentModel.from_bytes(model), json.loads(metrics).get(FINGERPRINT_KEY))
        for model, metrics in store.query(newest).itertuples(index=False)
    ]


def latest_model(store, horizon_days: int) -> IntentModel | None:
    """The newest model in the registry that predicts `horizon_days`, None before the first."""
    newest = newest_models(store, horizon_days, 1)
    return newest[0].model if newest else None


def register_model(store, model: IntentModel, trained_at: pd.Timestamp, fingerprint: str) -> None:
    """Add `model` to the registry with its evidence (metrics, baselines, ablation: the
    evaluated fit's), which fit was evaluated and which one is stored to score, and the
    fingerprint of what trained it."""
    evidence = {
        FINGERPRINT_KEY: fingerprint,
        **model.fits(),
        "model": model.metrics,
        "baselines": model.baseline_metrics,
        "ablation_auc_loss": model.ablation_auc_loss,
    }
    row = {
        "version": model.version,
        "trained_at": trained_at,
        "horizon_days": model.horizon_days,
        "feature_columns": json.dumps(model.feature_columns),
        "metrics": json.dumps(evidence, default=float),
        "model": model.to_bytes(),
    }
    with store.transaction() as tx:
        tx.ensure_table(intent_models)
        tx.insert(intent_models, pd.DataFrame([row]))
