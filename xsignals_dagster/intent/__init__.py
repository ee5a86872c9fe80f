"""Purchase intent as plain functions over DataFrames (no Dagster here).

Flow: `purchases_from_frames` -> `snapshot_dates` (chosen from the history's length and the
horizon) + `build_training_set` (point-in-time features from a `features_at(as_of)` callable,
labels from the purchases in the horizon) -> `train_intent_model` (out-of-time or held-out
customer metrics, baselines, ablation) -> `score_customers` -> `next_best_actions`. Until a
supervised model can be trained, `fit_label_free_model` (BG/NBD, or engagement recency)
scores instead.
"""

from xsignals_dagster.intent.actions import (
    contact_channel,
    most_popular_offers,
    next_best_actions,
    offer_hits,
)
from xsignals_dagster.intent.baselines import (
    BgNbdParameters,
    fit_bg_nbd,
    probability_alive,
    probability_of_purchase,
    purchase_history,
)
from xsignals_dagster.intent.evaluation import auc_check, calibration_table, lift_table
from xsignals_dagster.intent.explain import describe
from xsignals_dagster.intent.label_free import LabelFreeIntent, fit_label_free_model
from xsignals_dagster.intent.labels import (
    build_training_set,
    purchase_labels,
    purchases_from_frames,
    sample_customers,
    snapshot_dates,
)
from xsignals_dagster.intent.model import IntentModel, IntentSettings
from xsignals_dagster.intent.pareto_nbd import (
    ParetoNbdParameters,
    fit_pareto_nbd,
    pareto_probability_alive,
    pareto_probability_of_purchase,
)
from xsignals_dagster.intent.scoring import HIGH_INTENT, MEDIUM_INTENT, score_customers
from xsignals_dagster.intent.training import InsufficientData, check_trainable, train_intent_model

__all__ = [
    "HIGH_INTENT",
    "MEDIUM_INTENT",
    "BgNbdParameters",
    "ParetoNbdParameters",
    "InsufficientData",
    "IntentModel",
    "IntentSettings",
    "LabelFreeIntent",
    "auc_check",
    "build_training_set",
    "calibration_table",
    "check_trainable",
    "contact_channel",
    "describe",
    "fit_bg_nbd",
    "fit_label_free_model",
    "fit_pareto_nbd",
    "lift_table",
    "most_popular_offers",
    "next_best_actions",
    "offer_hits",
    "pareto_probability_alive",
    "pareto_probability_of_purchase",
    "probability_alive",
    "probability_of_purchase",
    "purchase_history",
    "purchase_labels",
    "purchases_from_frames",
    "sample_customers",
    "score_customers",
    "snapshot_dates",
    "train_intent_model",
]
