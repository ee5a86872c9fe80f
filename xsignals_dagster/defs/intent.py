"""Intent: point-in-time training set, the model (weekly), daily scores and next-best actions."""

import dagster as dg
import pandas as pd

from xsignals_dagster.automation import DOWNSTREAM_REFRESH, MODEL_RETRAIN
from xsignals_dagster.contract.sources import IDENTITY_SOURCES
from xsignals_dagster.contract.tables import PURCHASES_TABLE
from xsignals_dagster.contract.vocabularies import WAREHOUSE_POOL
from xsignals_dagster.identity.history import IdentityHistory
from xsignals_dagster.ingest.frames import (
    end_of_day,
    load_source_frames,
    newest_extract_date,
)
from xsignals_dagster.intent import (
    InsufficientData,
    IntentModel,
    IntentSettings,
    auc_check,
    build_training_set,
    check_trainable,
    fit_label_free_model,
    next_best_actions,
    purchases_from_frames,
    sample_customers,
    score_customers,
    snapshot_dates,
    train_intent_model,
)
from xsignals_dagster.intent.features import LABEL_OWNER
from xsignals_dagster.intent.labels import FEATURE_WINDOW_DAYS, MAX_TRAINING_SNAPSHOTS, TRAINING_SNAPSHOTS
from xsignals_dagster.intent.registry import (
    latest_model,
    newest_models,
    register_model,
    training_fingerprint,
)
from xsignals_dagster.resources import IntentConfig, Warehouse
from xsignals_dagster.signals.profile import build_profile, compute_signals
from xsignals_dagster.warehouse.store import utc_now

AUC_FLOOR = 0.6
MODEL_REGISTRY_TABLE = "intent_models"
TRAINING_DEPS = ["customer_profiles", "customer_records", "erasures"]
TRAINING_KEYS = ["customer_id", "as_of", "purchased"]


def _record_customers(store) -> pd.DataFrame:
    return store.read_table("customer_records").dropna(subset=["customer_id"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "intent_training_set",
            group_name="intent",
            kinds={"pandas", "sql"},
            description=(
                "Snapshots chosen from the history's length and the horizon: the newest date whose "
                f"label window has landed, to evaluate on, and {TRAINING_SNAPSHOTS} older ones whose "
                "windows closed by then, plus one per horizon a longer history spans (up to "
                f"{MAX_TRAINING_SNAPSHOTS}); with a history shorter than two horizons, snapshots "
                "within one horizon, split by customer. Each holds every profile signal as of the "
                "snapshot (nothing later, customers split where the evidence joining them came "
                "later) and the label, a purchase on any channel in the following horizon_days. "
                "A seeded sample of customers beyond IntentSettings.max_training_customers."
            ),
            deps=TRAINING_DEPS,
            automation_condition=MODEL_RETRAIN,
        ),
        dg.AssetSpec(
            PURCHASES_TABLE,
            group_name="intent",
            kinds={"pandas", "sql"},
            description=(
                "Every purchase the labels count (any channel, with its customer), written with the training "
                "set: the model's BG/NBD baseline reads them back, far cheaper than loading the web, app and "
                "pos rows again."
            ),
            deps=TRAINING_DEPS,
            automation_condition=MODEL_RETRAIN,
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "enough_to_train",
            asset="intent_training_set",
            description=(
                "Snapshots to train and to evaluate a supervised model on, with enough buyers and non-buyers "
                "on both sides. Warns while they are missing (a label-free model scores meanwhile); while it "
                "fails, the set is rebuilt whenever its inputs change instead of waiting for "
                "the weekly retrain."
            ),
        )
    ],
    pool=WAREHOUSE_POOL,
    can_subset=False,
)
def intent_training_set(context: dg.AssetExecutionContext, warehouse: Warehouse, intent_config: IntentConfig):
    store = warehouse.store
    settings = IntentSettings()
    frames = load_source_frames(store, IDENTITY_SOURCES)
    record_customers = _record_customers(store)
    purchases = purchases_from_frames(frames, record_customers)
    horizon = intent_config.horizon_days
    starts = [f["ts"].min() for f in frames.values() if "ts" in f and len(f)]
    newest = newest_extract_date(store)
    dates = snapshot_dates(min(starts), newest, horizon) if starts and newest is not None else []
    sampled = sample_customers(record_customers, settings.max_training_customers, settings.random_state)
    history = IdentityHistory(frames, sampled, store.read_table("identity_links"))

    def features_at(day: pd.Timestamp) -> pd.DataFrame:
        as_of = end_of_day(day)
        records, customers = history.customers_at(as_of)
        profile = build_profile(customers, compute_signals(frames, records, as_of), frames, records, as_of)
        profile = profile[profile["first_seen"].notna()]  # customers who existed by then
        return profile.assign(
            **{
                LABEL_OWNER: profile["customer_id"].map(
                    customers.set_index("customer_id")["today_customer_id"]
                )
            }
        )

    training = (
        build_training_set(features_at, purchases, dates, horizon)
        if dates
        else pd.DataFrame(columns=TRAINING_KEYS)
    )
    with store.transaction() as tx:
        tx.replace_table("intent_training_set", training)
        tx.replace_table(PURCHASES_TABLE, purchases)  # the model's BG/NBD baseline reads them back
    if not dates:
        context.log.warning(
            f"no snapshot yet: the data does not span the {horizon}-day label window plus "
            f"{FEATURE_WINDOW_DAYS} days"
        )
    try:
        check_trainable(training, horizon)
        gate = None
    except InsufficientData as insufficient:
        gate = str(insufficient)
        context.log.warning(f"not enough to train a model yet: {gate}")
    yield dg.MaterializeResult(
        asset_key="intent_training_set",
        metadata={
            "rows": len(training),
            "snapshots": ", ".join(f"{d:%Y-%m-%d}" for d in dates) or "none",
            "positive_share": float(training["purchased"].mean()) if len(training) else 0.0,
            "horizon_days": horizon,
            "customers_sampled": int(sampled["customer_id"].nunique()),
        },
    )
    yield dg.MaterializeResult(asset_key=PURCHASES_TABLE, metadata={"rows": len(purchases)})
    yield dg.AssetCheckResult(
        asset_key="intent_training_set",
        check_name="enough_to_train",
        passed=gate is None,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"reason": gate or "ok"},
    )


@dg.asset(
    group_name="intent",
    kinds={"scikitlearn", "sql"},
    description=(
        "Gradient boosting with probability calibration (BG/NBD's reading of each purchase history among "
        "its inputs), trained on the older snapshots and evaluated on the newest (out of time), or on "
        "held-out customers while the history is shorter than two horizons, beside RFM-only, web-only and "
        "BG/NBD baselines and a touchpoint ablation; then the same recipe is refitted on every snapshot, "
        "the evaluated one included, and that refit scores (metadata: evaluated_fit, served_fit). Where "
        "there are purchase histories both are stacked with Pareto/NBD by weights learnt on the evaluation "
        "snapshot (stacked_with_pareto_nbd; booster_roc_auc is the booster's alone). Kept "
        "with its version, features and the evaluated fit's metrics in "
        "`intent_models`, the model registry: the table this asset materializes. While none can be "
        "trained or evaluated the check warns why, and intent_scores "
        "scores with a label-free model. Retrains weekly (Mondays), when missing, or while a check fails; "
        "on data and code unchanged since the newest model it keeps that one (trained_again: false)."
    ),
    deps=["intent_training_set", PURCHASES_TABLE],
    metadata={"dagster/table_name": MODEL_REGISTRY_TABLE},
    automation_condition=MODEL_RETRAIN,
    pool=WAREHOUSE_POOL,
    check_specs=[
        dg.AssetCheckSpec(
            "auc_above_floor_and_not_dropping",
            asset="intent_model",
            description=(
                f"ROC-AUC at least {AUC_FLOOR} and not more than 0.02 below the previous "
                "version's (fails); warns "
                "while no supervised model can be trained or evaluated, with the reason."
            ),
        )
    ],
)
def intent_model(
    context: dg.AssetExecutionContext, warehouse: Warehouse, intent_config: IntentConfig
) -> dg.MaterializeResult:
    store = warehouse.store
    horizon = intent_config.horizon_days
    training = (
        store.read_table("intent_training_set") if store.has_table("intent_training_set") else pd.DataFrame()
    )
    settings = IntentSettings()
    newest = newest_models(store, horizon, 2)
    try:
        if training.empty:
            raise InsufficientData(
                f"no training snapshot: the history is shorter than the {horizon}-day label window"
            )
        purchases = store.read_table(PURCHASES_TABLE)
        fingerprint = training_fingerprint(training, purchases, horizon, settings)
        kept = bool(newest) and newest[0].training_fingerprint == fingerprint
        if kept:  # the same recipe on the same data trains the same model (registry docstring)
            model, newest = newest[0].model, newest[1:]
        else:
            model = train_intent_model(training, None, purchases, horizon, settings)
    except InsufficientData as gate:
        reason = f"no supervised model: {gate}"
        context.log.warning(f"{reason}; intent_scores scores with a label-free model meanwhile")
        check = dg.AssetCheckResult(
            check_name="auc_above_floor_and_not_dropping",
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"result": reason},
        )
        return dg.MaterializeResult(
            metadata={"kind": "none: scores are label-free", "reason": reason}, check_results=[check]
        )
    previous = newest[0].model.metrics if newest else None
    passed, message = auc_check(model.metrics, previous, AUC_FLOOR)
    if kept:
        context.log.info(f"Training data and recipe unchanged since {model.version}: kept, not trained again")
    else:
        register_model(store, model, utc_now(), fingerprint)
    return dg.MaterializeResult(
        metadata={**_evidence(model), "trained_again": not kept},
        check_results=[
            dg.AssetCheckResult(
                check_name="auc_above_floor_and_not_dropping", passed=passed, metadata={"result": message}
            )
        ],
    )


def _evidence(model: IntentModel) -> dict[str, object]:
    """A supervised model's metrics, for the UI to plot."""
    # A subset baseline whose columns do not exist (e.g. web-only where no web lands) has no AUC.
    baselines = {
        f"{name}_roc_auc": m["roc_auc"] for name, m in model.baseline_metrics.items() if "roc_auc" in m
    }
    return {
        "version": model.version,
        "kind": model.kind,
        "evaluation": model.evaluation,
        **model.fits(),
        **{k: float(v) for k, v in model.metrics.items()},
        **baselines,
        **(
            {"lift_over_web_only": float(model.metrics["roc_auc"] - baselines["web_only_roc_auc"])}
            if "web_only_roc_auc" in baselines
            else {}
        ),
        "lift_over_bg_nbd": float(model.metrics["roc_auc"] - baselines["bg_nbd_roc_auc"]),
        "features": len(model.feature_columns),
        "evaluated_on": f"{model.evaluated_on:%Y-%m-%d}",
        "calibration": dg.MetadataValue.md(model.calibration_table),
        "decile_lift": dg.MetadataValue.md(model.lift_table),
        "ablation": dg.MetadataValue.md(model.ablation_table),
    }


def _write(store, name: str, frame: pd.DataFrame) -> None:
    with store.transaction() as tx:
        tx.replace_table(name, frame)


NO_SUPERVISED_MODEL = "no supervised model for this horizon yet (the intent_model check says why)"
SCORE_COLUMNS = [
    "customer_id",
    "as_of",
    "horizon_days",
    "intent_score",
    "top_factors",
    "percentile",
    "bucket",
    "model_version",
]


@dg.asset(
    group_name="intent",
    kinds={"scikitlearn", "sql"},
    description=(
        "The latest intent score of every customer as of the newest extract date (CONTRACT §2): the "
        "calibrated probability of a purchase on any channel in the next horizon_days, its percentile, "
        "a bucket (high: top 10 %, medium: next 20 %, low: the rest) and the top factors in words. Scored "
        "by the newest supervised model for the horizon, or until there is one by a label-free model fitted "
        "on today's profile (BG/NBD on the transactions, engagement recency without any): model_version "
        "names it."
    ),
    deps=[intent_model, "customer_profiles"],
    automation_condition=DOWNSTREAM_REFRESH,
    pool=WAREHOUSE_POOL,
)
def intent_scores(
    context: dg.AssetExecutionContext, warehouse: Warehouse, intent_config: IntentConfig
) -> dg.MaterializeResult:
    store = warehouse.store
    horizon = intent_config.horizon_days
    as_of = newest_extract_date(store)
    if as_of is None:
        _write(store, "intent_scores", pd.DataFrame(columns=SCORE_COLUMNS))
        context.log.warning("nothing ingested yet: intent_scores is empty")
        return dg.MaterializeResult(metadata={"rows": 0, "reason": "nothing ingested yet"})
    profile = store.read_table("customer_profiles")
    model = latest_model(store, horizon)
    if model is None:
        model = fit_label_free_model(profile, horizon, NO_SUPERVISED_MODEL)
        context.log.warning(f"{model.kind} scores every customer: {NO_SUPERVISED_MODEL}")
    scores = score_customers(model, profile, as_of).assign(model_version=model.version)[SCORE_COLUMNS]
    if scores.empty:
        context.log.warning("customer_profiles has no customer yet: intent_scores is empty")
    _write(store, "intent_scores", scores)
    return dg.MaterializeResult(
        metadata={
            "rows": len(scores),
            "as_of": f"{as_of:%Y-%m-%d}",
            "model_version": model.version,
            "kind": model.kind,
            "reason": model.reason or f"the newest supervised model with a {horizon}-day horizon",
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
    actions = next_best_actions(
        scores, store.read_table("customer_profiles"), store.read_table("customer_consents")
    )
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
