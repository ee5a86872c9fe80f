"""BG/NBD: the likelihood recovers simulated parameters and ranks customers sensibly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xsignals_dagster.intent import (
    BgNbdParameters,
    fit_bg_nbd,
    probability_alive,
    probability_of_purchase,
    purchase_history,
)
from xsignals_dagster.intent.baselines import history_from_profile

TRUE = BgNbdParameters(r=0.6, alpha=30.0, a=0.8, b=2.4)
START = pd.Timestamp("2025-01-01", tz="UTC")


def simulate_purchases(
    params: BgNbdParameters, customers: int, seed: int = 0
) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Purchase days of customers following the BG/NBD story (dropout only after a repeat
    purchase), first purchases spread over 200 days, observed until day 400."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(params.r, 1.0 / params.alpha, customers)
    dropout = rng.beta(params.a, params.b, customers)
    end = 400.0
    rows = []
    for customer in range(customers):
        first = float(rng.integers(0, 200))
        rows.append((f"c{customer}", first))
        t = first + rng.exponential(1.0 / rate[customer])
        while t <= end:  # a repeat purchase, after which the customer may drop out
            rows.append((f"c{customer}", t))
            if rng.random() < dropout[customer]:
                break
            t += rng.exponential(1.0 / rate[customer])
    purchases = pd.DataFrame(rows, columns=["customer_id", "day"])
    purchases["ts"] = START + pd.to_timedelta(np.floor(purchases["day"]), unit="D")
    return purchases, START + pd.Timedelta(days=end)


@pytest.fixture(scope="module")
def simulated():
    purchases, as_of = simulate_purchases(TRUE, 4000)
    history = purchase_history(purchases, as_of)
    return history, fit_bg_nbd(history)


def test_fit_recovers_simulated_parameters(simulated):
    _, fitted = simulated
    assert fitted.r / fitted.alpha == pytest.approx(TRUE.r / TRUE.alpha, rel=0.15)  # mean purchase rate
    assert fitted.a / (fitted.a + fitted.b) == pytest.approx(
        TRUE.a / (TRUE.a + TRUE.b), rel=0.15
    )  # mean dropout
    for name in ("r", "alpha", "a", "b"):
        assert getattr(fitted, name) == pytest.approx(getattr(TRUE, name), rel=0.25), name


def test_frequent_recent_buyers_rank_above_lapsed_ones(simulated):
    _, fitted = simulated
    customers = pd.DataFrame(
        {"x": [10.0, 10.0, 1.0, 0.0], "t_x": [195.0, 40.0, 20.0, 0.0], "T": [200.0, 200.0, 200.0, 200.0]},
        index=["frequent_recent", "frequent_lapsed", "once_lapsed", "never_again"],
    )
    alive = probability_alive(fitted, customers)
    buys = probability_of_purchase(fitted, customers, horizon_days=14)
    assert alive["frequent_recent"] > alive["frequent_lapsed"]
    assert alive["never_again"] == 1.0  # BG/NBD drops customers only right after a purchase
    assert buys["frequent_recent"] > buys["once_lapsed"] > 0
    assert buys["frequent_recent"] > buys["frequent_lapsed"]
    assert ((buys >= 0) & (buys <= 1)).all()


def test_history_counts_purchase_days_up_to_as_of():
    ts = pd.to_datetime(
        [
            "2026-01-01T09:00Z",
            "2026-01-01T18:00Z",
            "2026-01-05T10:00Z",
            "2026-01-11T10:00Z",
            "2026-01-03T10:00Z",
        ]
    )
    purchases = pd.DataFrame({"customer_id": ["a", "a", "a", "a", "b"], "ts": ts})
    history = purchase_history(purchases, "2026-01-10")
    assert history.loc["a"].to_dict() == {"x": 1.0, "t_x": 4.0, "T": 9.0}  # same-day purchases are one
    assert history.loc["b"].to_dict() == {"x": 0.0, "t_x": 0.0, "T": 7.0}


def test_profile_history_counts_purchase_days_not_orders():
    """Three orders on two days: one repeat purchase, the first-to-last span from the mean gap
    between orders; a profile without the purchase-days column counts orders."""
    profile = pd.DataFrame(
        {
            "transactional_orders_all": [3, 1, 0],
            "transactional_purchase_days": [2, 1, 0],
            "transactional_days_between_orders": [10.0, np.nan, np.nan],
            "transactional_days_since_last_purchase": [5.0, 7.0, np.nan],
        },
        index=pd.Index(["a", "b", "c"], name="customer_id"),
    )
    history = history_from_profile(profile)
    assert history.loc["a"].to_dict() == {"x": 1.0, "t_x": 20.0, "T": 25.0}
    assert history.loc["b"].to_dict() == {"x": 0.0, "t_x": 0.0, "T": 7.0}
    assert history.loc["c"].isna().all()
    by_orders = history_from_profile(profile.drop(columns="transactional_purchase_days"))
    assert by_orders.loc["a"].to_dict() == {"x": 2.0, "t_x": 20.0, "T": 25.0}
