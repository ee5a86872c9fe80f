"""Pareto/NBD: the likelihood recovers simulated parameters, its closed form matches the
integral it stands for, and its probabilities rank customers sensibly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad

from xsignals_dagster.intent import purchase_history
from xsignals_dagster.intent.pareto_nbd import (
    ParetoNbdParameters,
    _log_integral,
    fit_pareto_nbd,
    pareto_probability_alive,
    pareto_probability_of_purchase,
)

TRUE = ParetoNbdParameters(r=0.6, alpha=30.0, s=0.8, beta=120.0)
START = pd.Timestamp("2025-01-01", tz="UTC")


def simulate_purchases(params: ParetoNbdParameters, customers: int, seed: int = 0):
    """Purchase days of customers following the Pareto/NBD story (death at an exponential
    time, at any moment), first purchases spread over 200 days, observed until day 400."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(params.r, 1.0 / params.alpha, customers)
    death_rate = rng.gamma(params.s, 1.0 / params.beta, customers)
    end = 400.0
    rows = []
    for customer in range(customers):
        first = float(rng.integers(0, 200))
        death = first + rng.exponential(1.0 / death_rate[customer])
        rows.append((f"c{customer}", first))
        t = first + rng.exponential(1.0 / rate[customer])
        while t <= min(end, death):
            rows.append((f"c{customer}", t))
            t += rng.exponential(1.0 / rate[customer])
    purchases = pd.DataFrame(rows, columns=["customer_id", "day"])
    purchases["ts"] = START + pd.to_timedelta(np.floor(purchases["day"]), unit="D")
    return purchases, START + pd.Timedelta(days=end)


@pytest.fixture(scope="module")
def simulated():
    purchases, as_of = simulate_purchases(TRUE, 4000)
    history = purchase_history(purchases, as_of)
    return history, fit_pareto_nbd(history)


def test_fit_recovers_simulated_parameters(simulated):
    _, fitted = simulated
    assert fitted.r / fitted.alpha == pytest.approx(TRUE.r / TRUE.alpha, rel=0.15)  # mean purchase rate
    assert fitted.s / fitted.beta == pytest.approx(TRUE.s / TRUE.beta, rel=0.25)  # mean death rate
    for name in ("r", "alpha"):
        assert getattr(fitted, name) == pytest.approx(getattr(TRUE, name), rel=0.15), name
    # Death is seen only through the purchases that stop: its shape and scale separately are
    # loosely pinned by 4,000 customers, within a factor of two.
    for name in ("s", "beta"):
        assert 0.5 < getattr(fitted, name) / getattr(TRUE, name) < 2.0, name


@pytest.mark.parametrize(
    ("a", "p", "b", "q", "low", "high"),
    [
        (30.0, 0.6, 120.0, 1.8, 10.0, 300.0),  # a < b
        (120.0, 25.6, 30.0, 1.8, 0.0, 90.0),  # a > b, a long history
        (50.0, 3.0, 50.0, 2.0, 5.0, 6.0),  # a = b, a short span
        (0.2, 150.0, 900.0, 40.0, 200.0, 365.0),  # large exponents
    ],
)
def test_closed_form_matches_the_integral(a, p, b, q, low, high):
    scale = -p * np.log(a + low) - q * np.log(b + low)
    value, _ = quad(
        lambda u: np.exp(-p * np.log(a + u) - q * np.log(b + u) - scale), low, high, epsabs=0, epsrel=1e-11
    )
    assert float(_log_integral(a, p, b, q, low, high)) == pytest.approx(np.log(value) + scale, abs=1e-8)
    assert _log_integral(a, p, b, q, high, high) == -np.inf


def test_probability_of_purchase_matches_simulation():
    """P(a purchase in the horizon) of one history, against the story simulated from the
    posterior: draw (λ, μ), weight by the likelihood of the history, simulate the horizon."""
    params, history = TRUE, pd.DataFrame({"x": [3.0], "t_x": [120.0], "T": [200.0]})
    rng = np.random.default_rng(1)
    n = 400_000
    rate, death_rate = rng.gamma(params.r, 1 / params.alpha, n), rng.gamma(params.s, 1 / params.beta, n)
    death = rng.exponential(1 / death_rate)
    x, t_x, T, horizon = 3, 120.0, 200.0, 60.0
    # Likelihood of (x, t_x, T) given the draw: alive at T, or died between t_x and T.
    weight = rate**x * np.where(death > T, np.exp(-rate * T), np.exp(-rate * np.clip(death, t_x, T)))
    weight = weight * (death > t_x)
    alive = death > T
    next_purchase = T + rng.exponential(1 / rate)
    bought = alive & (next_purchase <= np.minimum(death, T + horizon))
    expected_alive = np.sum(weight * alive) / weight.sum()
    expected_bought = np.sum(weight * bought) / weight.sum()
    assert pareto_probability_alive(params, history).iloc[0] == pytest.approx(expected_alive, abs=0.01)
    assert pareto_probability_of_purchase(params, history, int(horizon)).iloc[0] == pytest.approx(
        expected_bought, abs=0.01
    )


def test_frequent_recent_buyers_rank_above_lapsed_ones(simulated):
    _, fitted = simulated
    customers = pd.DataFrame(
        {"x": [10.0, 10.0, 1.0, 0.0, 0.0], "t_x": [195.0, 40.0, 20.0, 0.0, 0.0], "T": [200.0] * 4 + [10.0]},
        index=["frequent_recent", "frequent_lapsed", "once_lapsed", "never_again", "new"],
    )
    alive = pareto_probability_alive(fitted, customers)
    buys = pareto_probability_of_purchase(fitted, customers, horizon_days=14)
    assert alive["frequent_recent"] > alive["frequent_lapsed"]
    assert alive["new"] > alive["never_again"]  # unlike BG/NBD, a customer can lapse before buying again
    assert alive["never_again"] < 1.0
    assert buys["frequent_recent"] > buys["once_lapsed"] > 0
    assert buys["frequent_recent"] > buys["frequent_lapsed"]
    assert ((buys >= 0) & (buys <= 1)).all()
