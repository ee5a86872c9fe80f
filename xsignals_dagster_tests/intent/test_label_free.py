"""The label-free model: calibrated BG/NBD probabilities for buyers, engagement recency for the rest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xsignals_dagster.intent.label_free import fit_label_free_model
from xsignals_dagster.intent.scoring import score_customers
from xsignals_dagster_tests.intent.synthetic import BTYD_HORIZON_DAYS as HORIZON_DAYS
from xsignals_dagster_tests.intent.synthetic import buy_till_you_die_population


@pytest.fixture(scope="module")
def population():
    return buy_till_you_die_population(8_000, seed=11)


def test_bg_nbd_probabilities_are_calibrated_on_customers_who_behave_as_it_assumes(population):
    profile, bought_after = population
    model = fit_label_free_model(profile, HORIZON_DAYS, reason="a test")
    assert model.kind == "bg-nbd" and model.version.startswith("bg-nbd-") and model.reason == "a test"
    predicted = model.predict(profile.set_index("customer_id"))
    assert predicted.mean() == pytest.approx(bought_after.mean(), abs=0.015)
    deciles = pd.qcut(pd.Series(predicted).rank(method="first"), 10, labels=False)
    by_decile = (
        pd.DataFrame({"predicted": predicted, "observed": bought_after}).groupby(deciles.to_numpy()).mean()
    )
    assert (by_decile["predicted"] - by_decile["observed"]).abs().max() < 0.05
    assert by_decile["observed"].iloc[-1] > 3 * by_decile["observed"].iloc[0]  # and it ranks


def test_customers_who_never_bought_get_the_first_order_rate_spread_by_how_recently_they_were_seen(
    population,
):
    buyers, _ = population
    never = pd.DataFrame(
        {
            "customer_id": [f"n{k}" for k in range(1_000)],
            "transactional_orders_all": 0,
            "transactional_days_since_last_purchase": np.nan,
            "transactional_days_between_orders": np.nan,
            "behavioral_days_since_last_web": np.arange(1_000) % 100,
        }
    )
    newcomers = never.head(60).assign(
        customer_id=[f"new{k}" for k in range(60)],
        transactional_orders_all=1,
        transactional_days_since_last_purchase=5.0,
    )
    profile = pd.concat([buyers, never, newcomers], ignore_index=True)
    model = fit_label_free_model(profile, HORIZON_DAYS, reason="a test")
    scores = pd.Series(model.predict(profile.set_index("customer_id")), index=profile["customer_id"])
    rate = len(newcomers) / (
        len(newcomers) + len(never)
    )  # first orders among those who had none a horizon ago
    never_scores = scores[never["customer_id"]].to_numpy()
    assert never_scores.mean() == pytest.approx(rate, rel=0.05)
    assert np.all(np.diff(never_scores[:100]) <= 0)  # seen longer ago, lower
    assert never_scores[0] > 1.8 * rate > never_scores[99]


def test_without_any_purchase_customers_are_ranked_by_engagement_recency_and_explained():
    profile = pd.DataFrame(
        {
            "customer_id": ["recent", "middle", "old", "unseen"],
            "transactional_orders_all": 0,
            "transactional_days_since_last_purchase": np.nan,
            "transactional_days_between_orders": np.nan,
            "behavioral_days_since_last_web": [1.0, 10.0, 40.0, np.nan],
            "behavioral_days_since_last_store": [np.nan, 30.0, 50.0, np.nan],
        }
    )
    model = fit_label_free_model(profile, 14, reason="no purchases yet")
    assert model.kind == "engagement-recency" and model.evaluation.startswith("none")
    scores = score_customers(model, profile, "2026-03-31").set_index("customer_id")
    assert (
        scores.loc["recent", "intent_score"]
        > scores.loc["middle", "intent_score"]
        > scores.loc["old", "intent_score"]
    )
    assert scores.loc["unseen", "intent_score"] == 0.5
    assert "last on the website 1 day ago (+)" in scores.loc["recent", "top_factors"]


def test_an_empty_profile_fits_and_scores_nobody():
    # Under automation the profile can still be empty when intent_scores first runs.
    profile = pd.DataFrame({"customer_id": pd.Series(dtype=str)})
    model = fit_label_free_model(profile, 14, reason="no customers yet")
    scores = score_customers(model, profile, "2026-03-31")
    assert scores.empty and "intent_score" in scores.columns
