"""Scores: calibrated probability, rank, bucket, and reasons a marketer reads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xsignals_dagster.intent import HIGH_INTENT, MEDIUM_INTENT, describe, score_customers
from xsignals_dagster.intent.explain import occlusion_effects

AS_OF = "2026-04-27"


@pytest.fixture(scope="module")
def scores(trained, evaluation_rows):
    rows, _ = evaluation_rows
    return score_customers(trained, rows.drop(columns=["as_of", "purchased"]), AS_OF, horizon_days=14)


def test_every_customer_gets_a_score_rank_and_bucket(scores, evaluation_rows, trained):
    rows, _ = evaluation_rows
    assert list(scores.columns) == [
        "customer_id",
        "as_of",
        "horizon_days",
        "intent_score",
        "percentile",
        "bucket",
        "top_factors",
    ]
    assert scores["customer_id"].tolist() == rows["customer_id"].tolist()
    assert (scores["as_of"] == pd.Timestamp(AS_OF)).all() and (scores["horizon_days"] == 14).all()
    np.testing.assert_allclose(scores["intent_score"], trained.predict(rows.set_index("customer_id")))
    assert scores["percentile"].between(0, 100).all()
    top = scores.loc[scores["intent_score"].idxmax()]
    assert top["percentile"] == 100.0
    expected = np.where(
        scores["percentile"] >= HIGH_INTENT,
        "high",
        np.where(scores["percentile"] >= MEDIUM_INTENT, "medium", "low"),
    )
    assert (scores["bucket"] == expected).all()
    assert set(scores["bucket"]) == {"low", "medium", "high"}


def test_top_factors_are_readable_reasons_with_a_direction(scores):
    factors = scores["top_factors"]
    assert factors.map(lambda text: isinstance(text, str) and len(text) > 0).all()
    reasons = [reason for text in factors for reason in text.split("; ")]
    explained = [r for r in reasons if r.endswith(("(+)", "(−)"))]
    assert len(explained) > 0.9 * len(reasons)
    assert not any(
        prefix in text for text in factors for prefix in ("behavioral_", "transactional_", "_30d", "nan")
    )
    assert max(len(text.split("; ")) for text in factors) == 3
    # The strongest true driver shows up in words, with the right direction.
    assert any(r.startswith("tried on") and r.endswith("(+)") for r in reasons)
    assert any(r == "never purchased (−)" for r in reasons)


def test_a_high_scorer_is_explained_by_what_raises_the_score(scores):
    highest = scores.sort_values("intent_score").iloc[-1]["top_factors"].split("; ")
    assert highest[0].endswith("(+)")


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("transactional_days_since_last_purchase", np.nan, "never purchased"),
        ("transactional_days_since_last_purchase", 12.4, "last purchase 12 days ago"),
        ("behavioral_days_since_last_store", 1.2, "last in a store 1 day ago"),
        ("behavioral_store_try_ons_30d", 2, "tried on 2 products in store in the last 30 days"),
        ("behavioral_store_try_ons_30d", 0, "no try-on in store in the last 30 days"),
        ("transactional_orders_90d", 0, "no purchase in the last 90 days"),
        ("transactional_orders_all", 4, "4 purchases"),
        ("transactional_days_between_orders", 20.6, "buys every 21 days on average"),
        ("transactional_revenue_30d", 56.5, "spent 56.50 in the last 30 days"),
        ("engagement_email_clicks_30d", 1, "clicked 1 email in the last 30 days"),
        ("engagement_email_open_rate_90d", 0.25, "opened 25% of emails in the last 90 days"),
        ("engagement_email_open_rate_90d", np.nan, "no email delivered in the last 90 days"),
        ("journey_researched_online_then_store", True, "researched online, then came to a store"),
        ("journey_researched_online_then_store", False, "no store visit after researching online"),
        ("journey_products_viewed_then_tried", 1, "tried on in store 1 product first viewed online"),
        ("journey_cross_channel_purchases", 2, "bought 2 products first seen on another channel"),
        ("contextual_web_mobile_share", 0.4567, "web mobile share: 46%"),
        ("behavioral_web_searches_7d", 3, "web searches in the last 7 days: 3"),
        ("behavioral_top_category_90d", "shoes", "top category in the last 90 days: shoes"),
        ("preference_preferred_channel", None, "preferred channel: unknown"),
    ],
)
def test_features_are_described_in_words(column, value, words):
    assert describe(column, value) == words


def test_a_score_for_another_horizon_is_refused(trained, evaluation_rows):
    rows, _ = evaluation_rows
    with pytest.raises(ValueError, match="14-day horizon, not 30 days"):
        score_customers(trained, rows.drop(columns=["as_of", "purchased"]), AS_OF, horizon_days=30)


def test_missing_feature_columns_are_named(trained, evaluation_rows):
    rows, _ = evaluation_rows
    with pytest.raises(ValueError, match="behavioral_store_try_ons_30d"):
        score_customers(
            trained, rows.drop(columns=["as_of", "purchased", "behavioral_store_try_ons_30d"]), AS_OF
        )


def test_occlusion_effects_equal_rescoring_every_row_with_the_typical_value(trained, evaluation_rows):
    """Rows already at the typical value are not predicted again; their effect is exactly 0 and
    every other row's effect is what re-scoring it with the typical value gives."""
    rows, _ = evaluation_rows
    encoded = trained.encode(rows.set_index("customer_id"))
    scores = trained.predict_encoded(encoded)
    columns = trained.explained_columns
    effects = occlusion_effects(trained.predict_encoded, encoded, scores, columns, trained.reference_values)
    at_typical_somewhere = False
    for column in columns:
        typical = trained.reference_values[column]
        occluded = encoded.copy()
        occluded[column] = typical
        np.testing.assert_allclose(
            effects[column].to_numpy(), scores - trained.predict_encoded(occluded), atol=1e-12
        )
        same = (encoded[column] == typical) | (encoded[column].isna() & np.isnan(typical))
        at_typical_somewhere |= bool(same.any())
        assert (effects.loc[same.to_numpy(), column] == 0).all()
    assert at_typical_somewhere


def test_an_empty_profile_scores_nobody(trained, scores):
    # A supervised model can exist while the profile is still empty (a fresh instance under
    # automation trains from staged rows before identity resolved anyone): no customer, no error.
    empty = score_customers(trained, pd.DataFrame({"customer_id": pd.Series(dtype=str)}), AS_OF)
    assert empty.empty and list(empty.columns) == list(scores.columns)
