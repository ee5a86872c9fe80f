"""Which profile columns the model reads, and how they become model input."""

from __future__ import annotations

import numpy as np
import pandas as pd

from xsignals_dagster.intent.features import (
    RFM_PATTERN,
    TOUCHPOINT_PATTERNS,
    WEB_ONLY_PATTERN,
    categorical_columns_of,
    columns_matching,
    feature_columns_of,
    model_input,
)


def test_default_features_leave_out_keys_label_timestamps_and_identifiers():
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(60)],
            "as_of": pd.Timestamp("2026-03-01"),
            "purchased": 0,
            "first_seen": pd.Timestamp("2025-01-01"),
            "journey_top_product": [f"p{i}" for i in range(60)],
            "behavioral_top_category": ["shoes", "bags", None] * 20,
            "is_known": pd.array([True, None] * 30, dtype="boolean"),
            "transactional_purchases_90d": pd.array(range(60), dtype="Int64"),
        }
    )
    features = feature_columns_of(frame)
    assert features == ["behavioral_top_category", "is_known", "transactional_purchases_90d"]
    assert categorical_columns_of(frame, features) == ["behavioral_top_category"]
    model_frame = model_input(frame, features, ["behavioral_top_category"])
    assert model_frame["is_known"].dtype == float and np.isnan(model_frame["is_known"].iloc[1])
    assert model_frame["transactional_purchases_90d"].dtype == float
    categories = model_frame["behavioral_top_category"]
    assert categories.iloc[:2].tolist() == ["shoes", "bags"] and pd.isna(categories.iloc[2])


def test_touchpoint_groups_and_baselines_pick_columns_by_name():
    columns = [
        "behavioral_web_product_views_30d",
        "behavioral_days_since_last_web",
        "behavioral_app_sessions_30d",
        "engagement_push_opens_30d",
        "behavioral_store_try_ons_30d",
        "contextual_distinct_stores",
        "transactional_days_since_last_purchase",
        "transactional_orders_all",
        "transactional_net_revenue_all",
        "transactional_returns_90d",
        "engagement_email_clicks_30d",
        "engagement_service_contacts_90d",
        "preference_consent_email",
        "journey_top_product_channels",
        "contextual_weekend_share",
    ]
    groups = {name: columns_matching(columns, pattern) for name, pattern in TOUCHPOINT_PATTERNS.items()}
    assert groups["web"] == ["behavioral_web_product_views_30d", "behavioral_days_since_last_web"]
    assert groups["app"] == ["behavioral_app_sessions_30d", "engagement_push_opens_30d"]
    assert groups["store"] == ["behavioral_store_try_ons_30d", "contextual_distinct_stores"]
    assert groups["pos/transactional"] == [
        "transactional_days_since_last_purchase",
        "transactional_orders_all",
        "transactional_net_revenue_all",
        "transactional_returns_90d",
    ]
    assert groups["email"] == ["engagement_email_clicks_30d", "preference_consent_email"]
    assert groups["service"] == ["engagement_service_contacts_90d"]
    assert groups["preferences/journey"] == ["preference_consent_email", "journey_top_product_channels"]
    assert columns_matching(columns, RFM_PATTERN) == [
        "transactional_days_since_last_purchase",
        "transactional_orders_all",
        "transactional_net_revenue_all",
    ]
    assert columns_matching(columns, WEB_ONLY_PATTERN) == [
        "behavioral_web_product_views_30d",
        "behavioral_days_since_last_web",
    ]
