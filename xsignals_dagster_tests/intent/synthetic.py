"""Synthetic customers whose true purchase probability is known, with signal-like columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

FIRST_SNAPSHOT = pd.Timestamp("2026-03-02")
CATEGORIES = np.array(["shoes", "bags", "coats", "shirts"])
CHANNELS = np.array(["email", "push", "sms", None], dtype=object)


def _snapshot_features(rng: np.random.Generator, propensity: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Features of one snapshot and the true P(purchase) they imply."""
    n = len(propensity)
    activity = np.exp(propensity)
    web_views = rng.poisson(1.5 * activity)
    app_views = rng.poisson(0.8 * activity)
    try_ons = rng.poisson(0.3 * activity)
    purchases_90d = rng.poisson(0.5 * activity)
    days_since = np.where(
        purchases_90d > 0,
        rng.integers(0, 90, n),
        np.where(rng.random(n) < 0.5, np.nan, rng.integers(90, 400, n)),
    )
    email_clicks = rng.poisson(0.4 * activity)
    complaints = rng.poisson(0.1, n)
    preferred = CHANNELS[rng.integers(0, 4, n)]
    journey = (web_views > 0) & (try_ons > 0)
    logit = (
        -3.2
        + 0.7 * np.log1p(web_views)
        + 0.3 * np.log1p(app_views)
        + 0.9 * (try_ons > 0)
        + 0.5 * np.log1p(purchases_90d)
        - np.where(np.isnan(days_since), 0.8, 0.004 * np.nan_to_num(days_since))
        + 0.6 * journey
        + 0.4 * np.log1p(email_clicks)
        - 0.6 * complaints
        + 0.3 * (preferred == "push")
    )
    features = pd.DataFrame(
        {
            "transactional_days_since_last_purchase": days_since,
            "transactional_orders_90d": purchases_90d,
            "transactional_revenue_90d": purchases_90d * rng.gamma(2.0, 30.0, n),
            "behavioral_web_product_views_30d": web_views,
            "behavioral_app_product_views_30d": app_views,
            "behavioral_store_try_ons_30d": try_ons,
            "behavioral_top_category_90d": CATEGORIES[rng.integers(0, 4, n)],
            "engagement_email_clicks_30d": email_clicks,
            "engagement_service_contacts_90d": complaints,
            "preference_preferred_channel": preferred,
            "journey_researched_online_then_store": journey,
            "contextual_device_type": np.where(
                rng.random(n) < 0.2, None, np.where(rng.random(n) < 0.5, "mobile", "desktop")
            ),
        }
    )
    return features, expit(logit)


def known_probability_world(n_customers: int, n_snapshots: int, horizon_days: int = 14, seed: int = 0):
    """A training set (snapshots `horizon_days` apart, so label windows never overlap), the
    purchases that made its labels, and the true probability of each row."""
    rng = np.random.default_rng(seed)
    customer_ids = np.array([f"c{i:06d}" for i in range(n_customers)])
    propensity = rng.normal(0.0, 0.8, n_customers)
    snapshots, truths, purchases = [], [], []
    for k in range(n_snapshots):
        as_of = FIRST_SNAPSHOT + pd.Timedelta(days=horizon_days * k)
        features, truth = _snapshot_features(rng, propensity)
        labels = (rng.random(n_customers) < truth).astype("int8")
        features.insert(0, "customer_id", customer_ids)
        features.insert(1, "as_of", as_of)
        features["purchased"] = labels
        snapshots.append(features)
        truths.append(truth)
        buyers = customer_ids[labels == 1]
        days = rng.integers(1, horizon_days + 1, len(buyers))
        purchases.append(
            pd.DataFrame(
                {
                    "customer_id": buyers,
                    "ts": (as_of + pd.to_timedelta(days, unit="D") + pd.Timedelta(hours=12)).tz_localize(
                        "UTC"
                    ),
                    "channel": "web",
                    "order_id": [f"o{k}-{c}" for c in buyers],
                    "product_id": "p1",
                    "category": "shoes",
                    "amount": 50.0,
                }
            )
        )
    return (
        pd.concat(snapshots, ignore_index=True),
        pd.concat(purchases, ignore_index=True),
        np.concatenate(truths),
    )


# The buy-till-you-die population: profiles as of day CALIBRATION_END, and purchases in the
# BTYD_HORIZON_DAYS after it.
BTYD_HORIZON_DAYS = 30
CALIBRATION_END = 180.0


def buy_till_you_die_population(customers: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Customers drawn from the BG/NBD story itself (first purchase in the first 90 days,
    Poisson purchases at a gamma-distributed rate, dropping out after each purchase with a
    beta-distributed probability): their profile columns at CALIBRATION_END and whether they
    bought in the BTYD_HORIZON_DAYS after it."""
    rng = np.random.default_rng(seed)
    rates = rng.gamma(shape=0.6, scale=1 / 12.0, size=customers)  # r = 0.6, alpha = 12 days
    dropout = rng.beta(0.7, 3.0, size=customers)
    rows, bought_after = [], np.zeros(customers, dtype=bool)
    for k in range(customers):
        day = rng.uniform(0, 90)
        days = [day]
        while True:
            if rng.random() < dropout[k]:
                break
            day += rng.exponential(1 / rates[k])
            if day > CALIBRATION_END + BTYD_HORIZON_DAYS:
                break
            if day <= CALIBRATION_END:
                days.append(day)
            else:
                bought_after[k] = True
                break
        orders = len(days)
        rows.append(
            {
                "customer_id": f"c{k}",
                "transactional_orders_all": orders,
                "transactional_days_since_last_purchase": CALIBRATION_END - days[-1],
                "transactional_days_between_orders": (days[-1] - days[0]) / (orders - 1)
                if orders > 1
                else np.nan,
                "behavioral_days_since_last_web": CALIBRATION_END - days[-1] + rng.exponential(5),
            }
        )
    return pd.DataFrame(rows), bought_after
