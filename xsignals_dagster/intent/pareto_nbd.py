"""Pareto/NBD (Schmittlein, Morrison & Colombo 1987), the other classic buy-till-you-die model,
fitted by maximum likelihood on scipy (no `lifetimes`: unmaintained, broken on numpy 2).

A customer buys at Poisson rate λ ~ Gamma(r, α) while alive and dies at an exponential time
of rate μ ~ Gamma(s, β) (per day), at any moment, not only right after a purchase as in
BG/NBD: a customer who never bought again can have lapsed too. The model reads the same
`purchase_history` (repeat purchases `x`, the last one's day `t_x`, the age `T`).

Every quantity here reduces to one integral, ∫ (a + τ)^-p (b + τ)^-q dτ, which has a closed
form in the Gauss hypergeometric function (Fader, Hardie & Lee 2005, "A note on implementing
the Pareto/NBD model in MATLAB"), evaluated in log space so large histories do not overflow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit, gammaln, hyp2f1


@dataclass(frozen=True)
class ParetoNbdParameters:
    """Purchase rate λ ~ Gamma(shape r, rate α) and dropout rate μ ~ Gamma(shape s, rate β),
    both per day."""

    r: float
    alpha: float
    s: float
    beta: float


def _log_tail(a, p, b, q, tau):
    """log ∫_tau^∞ (a + u)^-p (b + u)^-q du (p + q > 1), by the hypergeometric closed form
    with its argument in [0, 1): the larger of a and b goes first."""
    m = p + q - 1.0
    a_first = a >= b
    big, small = np.where(a_first, a, b), np.where(a_first, b, a)
    second = np.where(a_first, q, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        series = hyp2f1(m, second, m + 1.0, (big - small) / (big + tau))
        return np.log(series) - np.log(m) - m * np.log(big + tau)


def _log_integral(a, p, b, q, low, high):
    """log ∫_low^high (a + u)^-p (b + u)^-q du; -inf where high <= low."""
    upper, lower = _log_tail(a, p, b, q, low), _log_tail(a, p, b, q, high)
    with np.errstate(divide="ignore", invalid="ignore"):
        difference = upper + np.log(-np.expm1(np.minimum(lower - upper, 0.0)))
    return np.where(high > low, difference, -np.inf)


def _log_terms(params: ParetoNbdParameters, x, t_x, T) -> tuple[np.ndarray, np.ndarray]:
    """The log-likelihood's two terms without their common factor: still alive at T, and died
    between t_x and T."""
    r, alpha, s, beta = params.r, params.alpha, params.s, params.beta
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    died = np.log(s) + _log_integral(alpha, r + x, beta, s + 1.0, t_x, T)
    return alive, died


def pareto_nbd_log_likelihood(
    params: ParetoNbdParameters, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Each customer's log-likelihood."""
    r, alpha, s, beta = params.r, params.alpha, params.s, params.beta
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive, died = _log_terms(params, x, t_x, T)
    return common + np.logaddexp(alive, died)


def fit_pareto_nbd(history: pd.DataFrame) -> ParetoNbdParameters:
    """Maximum-likelihood parameters over the customers of `purchase_history` (distinct
    (x, t_x, T) triples weighted by how many customers share them)."""
    if history.empty:
        raise ValueError("Pareto/NBD needs at least one customer with a purchase")
    triples = history.groupby(["x", "t_x", "T"]).size().reset_index(name="weight")
    x, t_x, T, weight = (triples[c].to_numpy(dtype=float) for c in ("x", "t_x", "T", "weight"))

    def negative_mean_log_likelihood(log_params: np.ndarray) -> float:
        likelihood = pareto_nbd_log_likelihood(ParetoNbdParameters(*np.exp(log_params)), x, t_x, T)
        value = -float(np.sum(weight * likelihood) / weight.sum())
        return value if np.isfinite(value) else 1e10

    scale = max(float(history["T"].mean()), 1.0)
    start = np.log([1.0, scale, 1.0, scale])
    result = minimize(negative_mean_log_likelihood, start, method="L-BFGS-B", bounds=[(-9.0, 9.0)] * 4)
    return ParetoNbdParameters(*np.exp(result.x))


def pareto_probability_alive(params: ParetoNbdParameters, history: pd.DataFrame) -> pd.Series:
    """P(still a customer at T | x, t_x, T)."""
    x, t_x, T = (history[c].to_numpy(dtype=float) for c in ("x", "t_x", "T"))
    alive, died = _log_terms(params, x, t_x, T)
    return pd.Series(expit(alive - died), index=history.index)


def pareto_probability_of_purchase(
    params: ParetoNbdParameters, history: pd.DataFrame, horizon_days: int
) -> pd.Series:
    """P(at least one purchase in the next `horizon_days`): alive at T, and then the first of
    the next purchase (rate λ) and death (rate μ) is a purchase within the horizon, with
    λ | alive ~ Gamma(r + x, α + T) and μ | alive ~ Gamma(s, β + T)."""
    x, T = history["x"].to_numpy(dtype=float), history["T"].to_numpy(dtype=float)
    r, alpha, s, beta = params.r, params.alpha, params.s, params.beta
    h = float(horizon_days)
    # Neither event within the horizon, or death before any purchase in it.
    log_survive = (r + x) * (np.log(alpha + T) - np.log(alpha + T + h)) + s * (
        np.log(beta + T) - np.log(beta + T + h)
    )
    log_die_first = (
        np.log(s)
        + (r + x) * np.log(alpha + T)
        + s * np.log(beta + T)
        + _log_integral(alpha + T, r + x, beta + T, s + 1.0, np.zeros_like(T), np.full_like(T, h))
    )
    no_purchase = np.exp(np.logaddexp(log_survive, log_die_first))
    alive = pareto_probability_alive(params, history).to_numpy()
    return pd.Series(alive * np.clip(1.0 - no_purchase, 0.0, 1.0), index=history.index)
