"""Intent: point-in-time training set, the model (weekly), daily scores and next-best actions."""

import json

import dagster as dg
import pandas as pd
import sqlalchemy as sa

from xsignals_dagster.automation import DOWNSTREAM_REFRESH, MODEL_RETRAIN
from xsignals_dagster.identity.assets import IDENTITY_SOURCES
from xsignals_dagster.identity.history import IdentityHistory
from xsignals_dagster.ingest.assets import WAREHOUSE_POOL
from xsignals_dagster.ingest.frames import end_of_day, load_source_frames, newest_extract_date
from xsignals_dagster.intent import (
    InsufficientData,
    IntentModel,
    IntentSettings,
    auc_check,
    build_training_set,
    check_trainable,
    next_best_actions,
    purchases_from_frames,
    sample_customers,
    score_customers,
    snapshot_dates,
    train_intent_model,
)
from xsignals_dagster.intent.features import LABEL_OWNER
from xsignals_dagster.resources import IntentConfig, Warehouse
from xsignals_dagster.signals.profile import build_profile, compute_signals
from xsignals_dagster.warehouse.store import utc_now

SNAPSHOTS = 5
AUC_FLOOR = 0.6
# Every purchase the labels count, written with the training set: reading them back is far
# cheaper than loading the web, app and pos rows again.
PURCHASES_TABLE = "intent_purchases"
TRAINING_KEYS = ["customer_id", "as_of", "purchased"]

intent_models = sa.Table(
    "intent_models",
    sa.MetaData(),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("trained_at", sa.DateTime, nullable=False),
    sa.Column("horizon_days", sa.BigInteger, nullable=False),
    sa.Column("feature_columns", sa.Text, nullable=False),  # JSON list
    sa.Column("metrics", sa.Text, nullable=False),  # JSON: model, baselines, ablation
    sa.Column("model", sa.LargeBinary, nullable=False),
)


def _record_customers(store) -> pd.DataFrame:
    return store.read_table("customer_records").dropna(subset=["customer_id"])


def latest_model(store) -> IntentModel | None:
    if not store.has_table(intent_models.name):
        return None
    rows = store.query(sa.select(intent_models.c.model).order_by(intent_models.c.trained_at.desc()).limit(1))
    return IntentModel.from_bytes(rows["model"].iloc[0]) if len(rows) else None


@dg.asset(
    group_name="intent",
    kinds={"pandas", "sql"},
    description=(
        f"Up to {SNAPSHOTS} weekly snapshots back from the newest date whose label window has landed: "
        "every profile signal as of the snapshot (nothing later, customers split where the evidence "
        "joining them came later) and the label, a purchase on any channel in the following "
        "horizon_days. A seeded sample of customers beyond IntentSettings.max_training_customers."
    ),
    deps=["customer_profiles", "customer_records", "erasures"],
    automation_condition=MODEL_RETRAIN,
    pool=WAREHOUSE_POOL,
    check_specs=[
        dg.AssetCheckSpec(
            "enough_to_train",
            asset="intent_training_set",
            description=(
                "A snapshot to evaluate on (the newest) and older ones whose label window closed by its "
                "date to train on, with enough buyers and non-buyers on both sides. While it fails, the set is "
                "rebuilt whenever its inputs change instead of waiting for the weekly retrain."
            ),
        )
    ],
)
def intent_training_set(context: dg.AssetExecutionContext, warehouse: Warehouse, intent_config: IntentConfig) -> dg.MaterializeResult:
    store = warehouse.store
    settings = IntentSettings()
    frames = load_source_frames(store, IDENTITY_SOURCES)
    record_customers = _record_customers(store)
    purchases = purchases_from_frames(frames, record_customers)
    horizon = intent_config.horizon_days
    starts = [f["ts"].min() for f in frames.values() if "ts" in f and len(f)]
    newest = newest_extract_date(store)
    dates = snapshot_dates(min(starts), newest, horizon, SNAPSHOTS) if starts and newest is not None else []
    sampled = sample_customers(record_customers, settings.max_training_customers, settings.random_state)
    history = IdentityHistory(frames, sampled, store.read_table("identity_links"))

    def features_at(day: pd.Timestamp) -> pd.DataFrame:
        as_of = end_of_day(day)
        records, customers = history.customers_at(as_of)
        profile = build_profile(customers, compute_signals(frames, records, as_of), frames, records, as_of)
        profile = profile[profile["first_seen"].notna()]  # customers who existed by then
        return profile.assign(**{LABEL_OWNER: profile["customer_id"].map(customers.set_index("customer_id")["today_customer_id"])})

    training = build_training_set(features_at, purchases, dates, horizon) if dates else pd.DataFrame(columns=TRAINING_KEYS)
    with store.transaction() as tx:
        tx.replace_table("intent_training_set", training)
        tx.replace_table(PURCHASES_TABLE, purchases)  # the model's BG/NBD baseline reads them back
    if not dates:
        context.log.warning(f"no snapshot yet: the data does not span more than the {horizon}-day label window")
    try:
        check_trainable(training, horizon)
        gate = None
    except InsufficientData as insufficient:
        gate = str(insufficient)
        context.log.warning(f"not enough to train a model yet: {gate}")
    return dg.MaterializeResult(
        check_results=[dg.AssetCheckResult(check_name="enough_to_train", passed=gate is None, metadata={"reason": gate or "ok"})],
        metadata={
            "rows": len(training),
            "snapshots": ", ".join(f"{d:%Y-%m-%d}" for d in dates) or "none",
            "positive_share": float(training["purchased"].mean()) if len(training) else 0.0,
            "horizon_days": horizon,
            "customers_sampled": int(sampled["customer_id"].nunique()),
        }
    )


@dg.asset(
    group_name="intent",
    kinds={"scikitlearn", "sql"},
    description=(
        "Gradient boosting with probability calibration, trained on all snapshots but the newest and "
        "evaluated out of time on the newest, beside RFM-only, web-only and BG/NBD baselines and a "
        "touchpoint ablation. Stored with its version, features and metrics in `intent_models`. "
        "Retrains weekly (Mondays) or when missing."
    ),
    deps=[intent_training_set],
    automation_condition=MODEL_RETRAIN,
    pool=WAREHOUSE_POOL,
    check_specs=[
        dg.AssetCheckSpec(
            "auc_above_floor_and_not_dropping",
            asset="intent_model",
            description=f"Out-of-time ROC-AUC at least {AUC_FLOOR} and not more than 0.02 below the previous version.",
        )
    ],
)
def intent_model(context: dg.AssetExecutionContext, warehouse: Warehouse, intent_config: IntentConfig) -> dg.MaterializeResult:
    store = warehouse.store
    training = store.read_table("intent_training_set") if store.has_table("intent_training_set") else pd.DataFrame()
    previous = latest_model(store)
    try:
        if training.empty:
            raise InsufficientData("no training snapshots yet (the data is shorter than the label window)")
        model = train_intent_model(training, None, store.read_table(PURCHASES_TABLE), intent_config.horizon_days)
    except InsufficientData as gate:
        context.log.warning(f"no model trained: {gate}")
        return dg.MaterializeResult(
            metadata={"trained": False, "reason": str(gate)},
            check_results=[dg.AssetCheckResult(check_name="auc_above_floor_and_not_dropping", passed=False, metadata={"reason": str(gate)})],
        )
    passed, message = auc_check(model.metrics, previous.metrics if previous else None, AUC_FLOOR)
    evidence = {"model": model.metrics, "baselines": model.baseline_metrics, "ablation_auc_loss": model.ablation_auc_loss}
    with store.transaction() as tx:
        tx.ensure_table(intent_models)
        tx.insert(
            intent_models,
            pd.DataFrame(
                [
                    {
                        "version": model.version,
                        "trained_at": utc_now(),
                        "horizon_days": model.horizon_days,
                        "feature_columns": json.dumps(model.feature_columns),
                        "metrics": json.dumps(evidence, default=float),
                        "model": model.to_bytes(),
                    }
                ]
            ),
        )
    baselines = {f"{name}_roc_auc": m["roc_auc"] for name, m in model.baseline_metrics.items()}
    return dg.MaterializeResult(
        metadata={
            "trained": True,
            "version": model.version,
            **{k: float(v) for k, v in model.metrics.items()},
            **baselines,
            "lift_over_web_only": float(model.metrics["roc_auc"] - model.baseline_metrics["web_only"]["roc_auc"]),
            "features": len(model.feature_columns),
            "evaluated_on": f"{model.evaluated_on:%Y-%m-%d}",
            "calibration": dg.MetadataValue.md(model.calibration_table),
            "decile_lift": dg.MetadataValue.md(model.lift_table),
            "ablation": dg.MetadataValue.md(model.ablation_table),
        },
        check_results=[dg.AssetCheckResult(check_name="auc_above_floor_and_not_dropping", passed=passed, metadata={"result": message})],
    )


def _write(store, name: str, frame: pd.DataFrame) -> None:
    with store.transaction() as tx:
        tx.replace_table(name, frame)


SCORE_COLUMNS = ["customer_id", "as_of", "horizon_days", "intent_score", "top_factors", "percentile", "bucket", "model_version"]


@dg.asset(
    group_name="intent",
    kinds={"scikitlearn", "sql"},
    description=(
        "The latest intent score of every customer as of the newest extract date (CONTRACT §2): the "
        "calibrated probability of a purchase on any channel in the next horizon_days, its percentile, "
        "a bucket (high: top 10 %, medium: next 20 %, low: the rest) and the top factors in words."
    ),
    deps=[intent_model, "customer_profiles"],
    automation_condition=DOWNSTREAM_REFRESH,
    pool=WAREHOUSE_POOL,
)
def intent_scores(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    store = warehouse.store
    model = latest_model(store)
    if model is None:
        _write(store, "intent_scores", pd.DataFrame(columns=SCORE_COLUMNS))
        context.log.warning("no intent model yet: intent_scores is empty")
        return dg.MaterializeResult(metadata={"rows": 0, "reason": "no intent model yet"})
    profile = store.read_table("customer_profiles")
    as_of = newest_extract_date(store)
    scores = score_customers(model, profile, as_of).assign(model_version=model.version)[SCORE_COLUMNS]
    _write(store, "intent_scores", scores)
    return dg.MaterializeResult(
        metadata={
            "rows": len(scores),
            "as_of": f"{as_of:%Y-%m-%d}",
            "model_version": model.version,
            "mean_score": float(scores["intent_score"].mean()) if len(scores) else 0.0,
            **{f"share_{b}": float((scores["bucket"] == b).mean()) for b in ("low", "medium", "high")},
        }
    )


@dg.asset(
    name="next_best_actions",
    group_name="intent",
    kinds={"pandas", "sql"},
    description=(
        "For high-intent customers who consented to personalisation: the product (or category) of "
        "strongest cross-channel intent and a consented channel (their preferred one first), with the reason."
    ),
    deps=[intent_scores, "customer_profiles", "customer_consents"],
    automation_condition=DOWNSTREAM_REFRESH,
    pool=WAREHOUSE_POOL,
)
def next_best_actions_asset(warehouse: Warehouse) -> dg.MaterializeResult:
    store = warehouse.store
    scores = store.read_table("intent_scores")
    actions = next_best_actions(scores, store.read_table("customer_profiles"), store.read_table("customer_consents"))
    _write(store, "next_best_actions", actions)
    high = int((scores["bucket"] == "high").sum()) if len(scores) else 0
    return dg.MaterializeResult(
        metadata={
            "rows": len(actions),
            "high_intent_customers": high,
            "reachable_share_of_high": len(actions) / high if high else 0.0,
            **{f"channel_{c}": int((actions["channel"] == c).sum()) for c in ("email", "push", "sms")},
        }
    )
