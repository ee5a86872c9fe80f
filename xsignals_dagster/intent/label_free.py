"""Intent scores without labels: what scores every customer from the first day, until a
supervised model can be trained and evaluated (the history is shorter than the label window
plus a week, or too few customers bought or did not).

- A customer who has ordered gets BG/NBD's probability of at least one purchase in the
  horizon, fitted on the purchase histories in the profile (`baselines.py`): the classic
  model of repeat buying needs no labels, only each buyer's orders, recency and age.
- A customer who never ordered gets the rate at which such customers placed a first order
  over the last horizon (first-time buyers of the last `horizon_days` among them and the
  customers who still never bought), spread by engagement recency: twice that rate times the
  share of non-buyers seen longer ago than them (the fitted distribution's upper tail), so
  the most recently active rank highest and the mean stays at the rate.
- With no buyers to fit (no transactions landed at all, or fewer than MIN_BG_NBD_BUYERS),
  every customer is ranked by engagement recency alone: the score is that upper-tail share,
  a rank in [0, 1] and not a probability (`ENGAGEMENT_RECENCY`).

Engagement recency is the fewest days since the customer was last seen on the website, in
the app or in a store (`behavioral_days_since_last_*`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from xsignals_dagster.intent.baselines import (
    PROFILE_HISTORY_COLUMNS,
    PROFILE_PURCHASE_DAYS,
    fit_bg_nbd,
    fit_on_profile,
    history_from_profile,
    probability_of_purchase,
)
from xsignals_dagster.intent.explain import typical_values
from xsignals_dagster.intent.features import CUSTOMER_ID, columns_matching, model_input, with_customer_column
from xsignals_dagster.intent.model import (
    BG_NBD_MODEL,
    ENGAGEMENT_RECENCY,
    IntentModel,
    IntentSettings,
    model_version,
)

ENGAGEMENT_RECENCY_PATTERN = r"^behavioral_days_since_last_(web|app|store)$"
NOT_EVALUATED = "none (label-free)"
_QUANTILES = np.linspace(0.0, 1.0, 101)


def _days_since_last_touch(features: pd.DataFrame) -> np.ndarray:
    columns = columns_matching(features.columns, ENGAGEMENT_RECENCY_PATTERN)
    if not columns:
        return np.full(len(features), np.nan)
    days = features[columns].to_numpy(dtype=float)
    seen = ~np.isnan(days).all(axis=1)
    return np.where(seen, np.nanmin(np.where(np.isnan(days), np.inf, days), axis=1), np.nan)


class LabelFreeIntent(ClassifierMixin, BaseEstimator):
    """P(purchase in `horizon_days`) from a profile's columns, fitted without labels (module
    docstring); `predict_proba` like a classifier, so scoring and explanations treat it as
    they treat the supervised model."""

    def __init__(self, horizon_days: int = 14):
        self.horizon_days = horizon_days

    def fit(self, X: pd.DataFrame, y=None):
        self.classes_ = np.array([0, 1])
        self.bg_nbd_ = fit_on_profile(X, fit_bg_nbd)
        days = _days_since_last_touch(X)
        if self.bg_nbd_ is None:
            self.newcomer_rate_ = None
            reference = days
        else:
            history = history_from_profile(X)
            never_bought = history["x"].isna().to_numpy()
            first_order_lately = (history["T"] < self.horizon_days).to_numpy()
            at_risk = int(never_bought.sum() + first_order_lately.sum())
            self.newcomer_rate_ = float(first_order_lately.sum() / at_risk) if at_risk else 0.0
            reference = days[never_bought]
        reference = reference[~np.isnan(reference)]
        self.recency_quantiles_ = np.quantile(reference, _QUANTILES) if len(reference) else None
        return self

    @property
    def kind(self) -> str:
        return ENGAGEMENT_RECENCY if self.bg_nbd_ is None else BG_NBD_MODEL

    def engagement(self, X: pd.DataFrame) -> np.ndarray:
        """The share of the fitted non-buyers last seen longer ago than each row's customer
        (0.5 when unknown): 1 for the most recently active."""
        days = _days_since_last_touch(X)
        if self.recency_quantiles_ is None:
            return np.full(len(X), 0.5)
        # A value's position among the quantiles; ties share their middle position.
        below = np.searchsorted(self.recency_quantiles_, days, side="left")
        through = np.searchsorted(self.recency_quantiles_, days, side="right")
        share_longer_ago = 1.0 - (below + through) / (2.0 * len(self.recency_quantiles_))
        return np.where(np.isnan(days), 0.5, share_longer_ago)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        engagement = self.engagement(X)
        if self.bg_nbd_ is None:
            scores = engagement
        else:
            history = history_from_profile(X)
            bought = history["x"].notna().to_numpy()
            scores = np.minimum(1.0, 2.0 * self.newcomer_rate_ * engagement)
            scores[bought] = probability_of_purchase(
                self.bg_nbd_, history[bought], self.horizon_days
            ).to_numpy()
        return np.column_stack([1.0 - scores, scores])


def fit_label_free_model(
    profile: pd.DataFrame, horizon_days: int, reason: str, settings: IntentSettings | None = None
) -> IntentModel:
    """A `LabelFreeIntent` fitted on today's profile (`customer_profiles`), as an
    `IntentModel` that scores and explains like a supervised one; `reason` says why no
    supervised model scores."""
    settings = settings or IntentSettings()
    customers = with_customer_column(profile).set_index(CUSTOMER_ID)
    history_columns = [c for c in (*PROFILE_HISTORY_COLUMNS, PROFILE_PURCHASE_DAYS) if c in customers.columns]
    feature_columns = history_columns + columns_matching(customers.columns, ENGAGEMENT_RECENCY_PATTERN)
    prepare = FunctionTransformer(
        model_input, kw_args={"feature_columns": feature_columns, "categorical_columns": []}
    )
    pipeline = Pipeline([("prepare", prepare), ("classify", LabelFreeIntent(horizon_days))]).fit(customers)
    kind = pipeline[-1].kind
    return IntentModel(
        version=model_version(kind, feature_columns, settings),
        kind=kind,
        evaluation=NOT_EVALUATED,
        horizon_days=horizon_days,
        feature_columns=feature_columns,
        categorical_columns=[],
        trained_on=[],
        evaluated_on=None,
        metrics={},
        calibration_table="",
        lift_table="",
        baseline_metrics={},
        ablation_table="",
        ablation_auc_loss={},
        explained_columns=feature_columns,
        reference_values=typical_values(pipeline[:-1].transform(customers), []),
        settings=settings,
        pipeline=pipeline,
        reason=reason,
    )
