"""The served probability: the gradient boosting's, stacked with Pareto/NBD's by a logistic
regression learnt out of time.

Why: the booster learns from snapshots older than the customers it scores, so a customer
scored today is often older (a longer history, a longer silence) than any it learnt from, and
trees do not extrapolate: beyond the oldest age they saw, they answer as for the oldest. A
buy-till-you-die model carries a customer's age and silence forward by construction. Stacking
lets the booster say what the other touchpoints and the recent past add, and Pareto/NBD what
repeat buying does at ages the snapshots do not reach. The weights are learnt on the
evaluation snapshot from the booster that never saw it, so they say how much each part holds
out of time; where Pareto/NBD adds nothing, its weight is near zero and the ranking is the
booster's.

Pareto/NBD is fitted without labels on the evaluation snapshot's own histories (the profile
columns of `baselines.history_from_profile`) and those parameters read every later row: its
parameters describe the population, which the snapshots share. A customer without a purchase
has no Pareto/NBD story: a column says so and the regression gives them their own intercept.

Measured on CDNOW through the whole pipeline (`benchmarks/intent_real.py`), 91 and 182 days
after 1997-09-30, ROC-AUC of the served scores: booster alone 0.777 / 0.770 (its four
calibration folds averaged), stacked 0.778 / 0.772, where the own Pareto/NBD reaches
0.772 / 0.764.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_predict

from xsignals_dagster.intent.baselines import fit_on_profile, history_from_profile
from xsignals_dagster.intent.pareto_nbd import (
    ParetoNbdParameters,
    fit_pareto_nbd,
    pareto_probability_of_purchase,
)

# Folds of the cross-validated stacked scores the model's figures are measured on.
STACKING_FOLDS = 5
# Probabilities are clipped this far from 0 and 1 before their logit.
_EDGE = 1e-6


def pareto_nbd_probability(params: ParetoNbdParameters, X: pd.DataFrame, horizon_days: int) -> np.ndarray:
    """P(a purchase in `horizon_days`) per row of `X`, NaN for a row without a purchase."""
    history = history_from_profile(X)
    bought = history["x"].notna().to_numpy()
    probability = np.full(len(X), np.nan)
    probability[bought] = pareto_probability_of_purchase(params, history[bought], horizon_days).to_numpy()
    return probability


def stack_inputs(booster_probability: np.ndarray, pareto_probability: np.ndarray) -> np.ndarray:
    """The regression's columns: both logits (Pareto/NBD's 0 where there is none) and whether
    there is none."""
    without_history = np.isnan(pareto_probability)
    return np.column_stack(
        [
            logit(np.clip(booster_probability, _EDGE, 1 - _EDGE)),
            np.where(
                without_history, 0.0, logit(np.clip(np.nan_to_num(pareto_probability), _EDGE, 1 - _EDGE))
            ),
            without_history.astype(float),
        ]
    )


class ParetoNbdStack(ClassifierMixin, BaseEstimator):
    """A fitted booster (anything with `predict_proba`) stacked with Pareto/NBD: calibrated
    P(purchase in `horizon_days`) from the `combiner` regression over `stack_inputs`."""

    def __init__(self, booster, params: ParetoNbdParameters, combiner: LogisticRegression, horizon_days: int):
        self.booster = booster
        self.params = params
        self.combiner = combiner
        self.horizon_days = horizon_days

    @property
    def classes_(self) -> np.ndarray:
        return self.combiner.classes_

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        inputs = stack_inputs(
            self.booster.predict_proba(X)[:, 1], pareto_nbd_probability(self.params, X, self.horizon_days)
        )
        stacked = expit(self.combiner.decision_function(inputs))
        return np.column_stack([1.0 - stacked, stacked])


@dataclass
class Stacking:
    """What the evaluation snapshot taught: the Pareto/NBD parameters, the combiner, and the
    cross-validated stacked scores of the evaluation rows (what the model is measured on)."""

    params: ParetoNbdParameters
    combiner: LogisticRegression
    horizon_days: int
    evaluation_scores: np.ndarray

    def around(self, booster) -> ParetoNbdStack:
        """The stack with `booster` (the refit that serves) as its first part."""
        return ParetoNbdStack(booster, self.params, self.combiner, self.horizon_days)


def fit_stacking(
    encoded_evaluation: pd.DataFrame,
    outcomes: np.ndarray,
    booster_probability: np.ndarray,
    horizon_days: int,
    random_state: int,
) -> Stacking | None:
    """Learn the stack on the evaluation rows (their encoded model input, labels and the
    out-of-time booster's probabilities); None where Pareto/NBD cannot be fitted (no purchase
    history columns, too few buyers): the booster then serves alone."""
    params = fit_on_profile(encoded_evaluation, fit_pareto_nbd)
    if params is None:
        return None
    inputs = stack_inputs(
        booster_probability, pareto_nbd_probability(params, encoded_evaluation, horizon_days)
    )
    folds = KFold(STACKING_FOLDS, shuffle=True, random_state=random_state)
    evaluation_scores = cross_val_predict(
        LogisticRegression(), inputs, outcomes, cv=folds, method="predict_proba"
    )[:, 1]
    return Stacking(params, LogisticRegression().fit(inputs, outcomes), horizon_days, evaluation_scores)
