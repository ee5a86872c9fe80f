"""The served stack: the booster's probability and Pareto/NBD's, combined by a regression learnt
on the evaluation snapshot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.metrics import roc_auc_score

from xsignals_dagster.intent.stacking import ParetoNbdStack, Stacking, fit_stacking, pareto_nbd_probability
from xsignals_dagster_tests.intent.synthetic import BTYD_HORIZON_DAYS, buy_till_you_die_population


@pytest.fixture(scope="module")
def halves():
    """Customers who behave as buy-till-you-die assumes: one half to learn the stack on (the
    evaluation snapshot), the other to serve, each as (profile indexed by customer_id, labels)."""
    profile, bought_after = buy_till_you_die_population(6_000, seed=5)
    # A touchpoint the purchase history does not show: carts filled by those about to buy.
    carts = np.random.default_rng(6).poisson(np.where(bought_after, 0.8, 0.3))
    profile = profile.assign(behavioral_cart_adds_30d=carts).set_index("customer_id")
    return (profile.iloc[:3_000], bought_after[:3_000]), (profile.iloc[3_000:], bought_after[3_000:])


class Engagement:
    """A booster stand-in that knows only the carts."""

    classes_ = np.array([0, 1])

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        filled = (
            0.5 * X["behavioral_cart_adds_30d"].to_numpy() / (1.0 + X["behavioral_cart_adds_30d"].to_numpy())
        )
        return np.column_stack([1.0 - filled - 0.1, filled + 0.1])


def learnt_on(rows: pd.DataFrame, labels: np.ndarray, booster) -> Stacking:
    """The stack `fit_stacking` learns from `booster`'s probabilities on `rows`."""
    return fit_stacking(rows, labels, booster.predict_proba(rows)[:, 1], BTYD_HORIZON_DAYS, random_state=0)


def test_the_stack_adds_pareto_nbd_to_what_the_booster_knows_and_stays_calibrated(halves):
    (learn, learnt_labels), (serve, served_labels) = halves
    booster = Engagement()
    stacking = learnt_on(learn, learnt_labels, booster)
    stack = stacking.around(booster)
    served = stack.predict_proba(serve)[:, 1]
    booster_auc = roc_auc_score(served_labels, booster.predict_proba(serve)[:, 1])
    pareto_auc = roc_auc_score(
        served_labels, pareto_nbd_probability(stacking.params, serve, BTYD_HORIZON_DAYS)
    )
    # Both parts carry something the other lacks (carts; how often and lately bought).
    assert roc_auc_score(served_labels, served) > max(booster_auc, pareto_auc) + 0.005
    assert served.mean() == pytest.approx(served_labels.mean(), abs=0.02)
    # The figures kept with the model are cross-validated on the rows the stack learnt on.
    assert roc_auc_score(learnt_labels, stacking.evaluation_scores) > booster_auc


def test_a_booster_that_says_nothing_leaves_the_ranking_to_pareto_nbd(halves):
    (learn, learnt_labels), (serve, _) = halves
    booster = DummyClassifier(strategy="prior").fit(learn, learnt_labels)
    stacking = learnt_on(learn, learnt_labels, booster)
    served = stacking.around(booster).predict_proba(serve)[:, 1]
    pareto = pareto_nbd_probability(stacking.params, serve, BTYD_HORIZON_DAYS)
    assert pd.Series(served).corr(pd.Series(pareto), method="spearman") > 0.999


def test_customers_without_a_purchase_are_scored_by_their_own_intercept(halves):
    (learn, learnt_labels), _ = halves
    never_bought = learn.iloc[:400].assign(
        transactional_orders_all=0,
        transactional_days_since_last_purchase=np.nan,
        transactional_days_between_orders=np.nan,
    )
    rows = pd.concat([never_bought, learn.iloc[400:]])
    booster = Engagement()
    stacking = learnt_on(rows, learnt_labels, booster)
    served = stacking.around(booster).predict_proba(rows)[:, 1]
    assert np.isfinite(served).all()
    assert np.isnan(pareto_nbd_probability(stacking.params, never_bought, BTYD_HORIZON_DAYS)).all()


def test_without_a_purchase_history_the_booster_serves_alone(halves):
    (learn, learnt_labels), _ = halves
    web_only = learn[["behavioral_days_since_last_web"]]
    assert fit_stacking(web_only, learnt_labels, np.full(len(learn), 0.2), BTYD_HORIZON_DAYS, 0) is None


def test_the_stack_is_a_classifier_scikit_learn_can_read(halves):
    (learn, learnt_labels), (serve, _) = halves
    booster = Engagement()
    stacking = learnt_on(learn, learnt_labels, booster)
    stack = stacking.around(booster)
    assert isinstance(stack, ParetoNbdStack) and list(stack.classes_) == [0, 1]
    probabilities = stack.predict_proba(serve)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
