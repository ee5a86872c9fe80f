"""The model registry: every supervised intent model trained, with its version (which starts
with its kind), horizon, features and evidence, in the warehouse table `intent_models`; the
newest one for the configured horizon scores. Label-free models are fitted at scoring time and
not kept."""

from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa

from xsignals_dagster.contract.tables import intent_models
from xsignals_dagster.intent.model import IntentModel


def latest_model(store, horizon_days: int) -> IntentModel | None:
    """The newest model in the registry that predicts `horizon_days`, None before the first
    (a model of another horizon answers another question)."""
    if not store.has_table(intent_models.name):
        return None
    newest = (
        sa.select(intent_models.c.model)
        .where(intent_models.c.horizon_days == horizon_days)
        .order_by(intent_models.c.trained_at.desc())
        .limit(1)
    )
    rows = store.query(newest)
    return IntentModel.from_bytes(rows["model"].iloc[0]) if len(rows) else None


def register_model(store, model: IntentModel, trained_at: pd.Timestamp) -> None:
    """Add `model` to the registry with its evidence (metrics, baselines, ablation: the
    evaluated fit's) and which fit was evaluated and which one is stored to score."""
    evidence = {
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
