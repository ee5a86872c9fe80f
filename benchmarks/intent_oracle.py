"""How well the generated activity can rank the holdout buyers at all, seen perfectly (issue 5's
target: out-of-time AUC at least 0.9 x the truth's).

    python benchmarks/intent_oracle.py [--persons 10000] [--days 60] [--seed 1] [--end-date 2026-03-31]

Rebuilds the generator's hidden world and intent paths for these arguments (the same people,
paths, ``p_purchase_holdout`` and holdout purchases as ``generate`` with the same arguments),
draws their activity again with the generator's own functions and constants, and observes it
perfectly: no identity to resolve, no store visit unseen, no bad row. The activity is every web
and app browsing session with its events, every store visit with its try-ons and
consultations, and every purchase (email, push and service contacts are left out, a little of
the evidence). Then it ranks the persons by:

* the truth, ``p_purchase_holdout``;
* an exact forward filter of the generator's own two-state chain and emission equations, given
  each person's hidden rates; then given only their segment's mean rates, the segment known;
* a mixture of the segments' filters, each weighted by how well it explains the person's
  history: the right model with the segment unknown, as a model has to work;
* a gradient-boosting regressor that learns the truth itself (not noisy purchase labels) from
  window counts of that activity, cross-fitted; then from those and the mixture's outputs.

The last three rows use nothing the activity does not show, yet are given what a pipeline
working from the landed files lacks: perfect observation, the generator's equations, or the
truth itself as a training target. Their ratio to the truth is, in practice, a bound on what
the issue's ratio can reach (an estimate, not a proof: a better learner might edge past it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import binom, poisson
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_predict

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xsignals_dagster.demo.generate import RANDOM_STREAMS  # noqa: E402
from xsignals_dagster.demo.intent import Intent, holdout_probability, simulate_intent  # noqa: E402
from xsignals_dagster.demo.population import build_world  # noqa: E402
from xsignals_dagster.demo.reference import (  # noqa: E402
    APP_BROWSING,
    APP_SCRIPTS,
    CHANNELS,
    CONSULT_CHANCE,
    IN_MARKET_BOOST,
    SEGMENTS,
    STAY_IN_MARKET_AFTER_PURCHASE,
    TRY_ONS_PER_VISIT,
    WEB_BROWSING,
    WEB_SCRIPTS,
    WEEKDAY_ACTIVITY,
)
from xsignals_dagster.demo.web_and_app import activity_sessions, session_events  # noqa: E402
from xsignals_dagster.demo.world import Calendar, World  # noqa: E402

CHAIN = ("entry", "persistence", "buy_in_market", "buy_baseline")
BROWSING = {"web": (WEB_SCRIPTS["browse"], WEB_BROWSING), "app": (APP_SCRIPTS["browse"], APP_BROWSING)}
WINDOWS = (1, 3, 7, 14)


class Activity:
    """Perfectly observed daily counts (persons x landed days) of one world's intent paths."""

    def __init__(self, rng: np.random.Generator, world: World, intent: Intent):
        self.cal, self.n = world.cal, len(world.people)
        self.weekdays = self.cal.weekdays()[: self.cal.days]
        self.purchases = intent.purchased[:, : self.cal.days]
        self.sessions, self.events = {}, {}
        for channel in CHANNELS:
            sessions = activity_sessions(rng, world, intent, channel)
            self.sessions[channel] = self.daily(sessions["person"], sessions["day"])
            if channel in BROWSING:
                script, mix = BROWSING[channel]
                events = session_events(
                    rng, world, intent, sessions.assign(kind="browse", target=-1), {"browse": script}, mix
                )
                person, day = (
                    sessions["person"].to_numpy()[events["session"]],
                    sessions["day"].to_numpy()[events["session"]],
                )
                scripted = script.opening + script.closing  # every session has these; only browsing tells
                self.events[channel] = {
                    kind: self.daily(person[events["event_type"] == kind], day[events["event_type"] == kind])
                    - scripted.count(kind) * self.sessions[channel]
                    for kind in mix
                }
        visits, in_market = self.sessions["store"], intent.in_market[:, : self.cal.days].astype(int)
        self.try_ons = rng.poisson(visits * np.take(TRY_ONS_PER_VISIT, in_market))
        self.consults = rng.binomial(visits, np.take(CONSULT_CHANCE, in_market))

    def daily(self, person, day) -> np.ndarray:
        counts = np.zeros((self.n, self.cal.days), dtype=np.int64)
        np.add.at(counts, (np.asarray(person), np.asarray(day)), 1)
        return counts

    def log_likelihood(self, state: int, rates: dict[str, np.ndarray]) -> np.ndarray:
        """log P(a day's observations | in market = state), per person and day."""
        total = np.zeros((self.n, self.cal.days))
        for channel, visits in self.sessions.items():
            expected = rates[channel][:, None] * np.asarray(WEEKDAY_ACTIVITY[channel])[self.weekdays]
            total += poisson.logpmf(visits, expected * (1 + IN_MARKET_BOOST[channel] * state) + 1e-12)
            if channel in BROWSING:
                script, mix = BROWSING[channel]
                for kind, shares in mix.items():
                    total += poisson.logpmf(
                        self.events[channel][kind], visits * script.browsing[state] * shares[state] + 1e-12
                    )
        total += poisson.logpmf(self.try_ons, self.sessions["store"] * TRY_ONS_PER_VISIT[state] + 1e-12)
        total += binom.logpmf(self.consults, self.sessions["store"], CONSULT_CHANCE[state])
        return total

    def filtered(self, params: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """The chance of a holdout purchase given everything observed, and log P(history)."""
        entry, stay, buy_in, buy_out = (params[c] for c in CHAIN)
        out_of_market, in_market = self.log_likelihood(0, params), self.log_likelihood(1, params)
        p_in = entry / (entry + 1 - stay)
        evidence = np.zeros(self.n)
        for day in range(self.cal.days):
            bought = self.purchases[:, day]
            joint_in = np.log(p_in) + in_market[:, day] + np.log(np.where(bought, buy_in, 1 - buy_in))
            joint_out = (
                np.log(1 - p_in) + out_of_market[:, day] + np.log(np.where(bought, buy_out, 1 - buy_out))
            )
            evidence += np.logaddexp(joint_in, joint_out)
            posterior = 1 / (1 + np.exp(joint_out - joint_in))
            p_in = (
                posterior * stay * np.where(bought, STAY_IN_MARKET_AFTER_PURCHASE, 1.0)
                + (1 - posterior) * entry
            )
        return holdout_probability(p_in, pd.DataFrame(params), self.cal.horizon), evidence

    def windows(self) -> pd.DataFrame:
        """Counts over the last 1, 3, 7, 14 days and the whole history, of every kind of activity."""
        series = {f"{c}_visits": v for c, v in self.sessions.items()}
        series |= {
            f"{c}_{kind}": counts for c, kinds in self.events.items() for kind, counts in kinds.items()
        }
        series |= {"try_ons": self.try_ons, "consults": self.consults, "purchases": self.purchases}
        days = self.cal.days
        return pd.DataFrame(
            {
                f"{name}_{w}d": counts[:, days - w :].sum(axis=1)
                for name, counts in series.items()
                for w in (*WINDOWS, days)
                if w <= days
            }
        )


def learnt_truth(features: pd.DataFrame, truth: np.ndarray) -> np.ndarray:
    regressor = HistGradientBoostingRegressor(
        min_samples_leaf=50, max_iter=300, learning_rate=0.05, random_state=0
    )
    return cross_val_predict(regressor, features, truth, cv=5)


def hidden_paths(
    persons: int, days: int, seed: int, end_date: dt.date, horizon_days: int
) -> tuple[World, Intent]:
    """The world and intent paths ``generate`` draws for these arguments."""
    cal = Calendar(end_date - dt.timedelta(days=days - 1), days, horizon_days)
    streams = dict(zip(RANDOM_STREAMS, np.random.default_rng(seed).spawn(len(RANDOM_STREAMS)), strict=False))
    world = build_world(streams["world"], persons, cal)
    return world, simulate_intent(streams["intent"], world)


class Oracle:
    """Every way of ranking above, over one world's perfectly observed activity."""

    def __init__(self, world: World, intent: Intent, seed: int):
        self.world, self.intent = world, intent
        self.activity = Activity(np.random.default_rng([seed, 7]), world, intent)
        self.segment = world.people["segment"].to_numpy()
        self.hidden = {c: world.people[c].to_numpy() for c in CHAIN} | {
            c: world.column(f"{c}_rate") for c in CHANNELS
        }
        self.names = SEGMENTS["segment"].to_numpy()
        per_segment = [
            self.activity.filtered(
                {c: np.full(len(v), v[self.segment == s].mean()) for c, v in self.hidden.items()}
            )
            for s in self.names
        ]
        log_weight = np.array(
            [
                evidence + np.log((self.segment == s).mean())
                for s, (_, evidence) in zip(self.names, per_segment, strict=False)
            ]
        )
        weight = np.exp(log_weight - log_weight.max(axis=0))
        self.weight = weight / weight.sum(axis=0)
        self.mixture = (self.weight * np.array([p for p, _ in per_segment])).sum(axis=0)

    def filtered_with_hidden_rates(self) -> np.ndarray:
        return self.activity.filtered(self.hidden)[0]

    def filtered_with_segment_rates(self) -> np.ndarray:
        return self.activity.filtered(
            {
                c: pd.Series(v).groupby(self.segment).transform("mean").to_numpy()
                for c, v in self.hidden.items()
            }
        )[0]

    def learnt_from_windows(self) -> np.ndarray:
        return learnt_truth(self.activity.windows(), self.intent.p_holdout)

    def learnt_from_windows_and_mixture(self) -> np.ndarray:
        """The best ranking here: what the bound of issue 5's ratio is taken from."""
        features = self.activity.windows().assign(
            **{f"mixture_weight_{s}": w for s, w in zip(self.names, self.weight, strict=False)},
            mixture=self.mixture,
        )
        return learnt_truth(features, self.intent.p_holdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--end-date", type=dt.date.fromisoformat, default=dt.date(2026, 3, 31))
    parser.add_argument("--horizon-days", type=int, default=14)
    args = parser.parse_args()

    world, intent = hidden_paths(args.persons, args.days, args.seed, args.end_date, args.horizon_days)
    oracle = Oracle(world, intent, args.seed)
    activity, bought = oracle.activity, intent.purchased[:, world.cal.days :].any(axis=1)
    active = (sum(activity.sessions.values()).sum(axis=1) + activity.purchases.sum(axis=1)) > 0
    truth_auc = {
        "all": roc_auc_score(bought, intent.p_holdout),
        "active": roc_auc_score(bought[active], intent.p_holdout[active]),
    }
    print(
        f"{args.persons} persons x {args.days} days (seed {args.seed}), holdout {args.horizon_days} days: "
        f"{bought.mean():.1%} buy; "
        f"{active.mean():.1%} active (any session, visit or purchase in the landed days)"
    )
    print(f"{'holdout ROC-AUC (ratio to the truth)':70}{'all persons':>18}{'active persons':>18}")
    for label, scores in (
        ("truth: p_purchase_holdout", intent.p_holdout),
        ("exact filter, each person's hidden rates", oracle.filtered_with_hidden_rates()),
        ("exact filter, the segment's mean rates (segment known)", oracle.filtered_with_segment_rates()),
        ("mixture of the segments' filters (segment unknown)", oracle.mixture),
        ("regressor learning the truth from window counts", oracle.learnt_from_windows()),
        (
            "regressor learning the truth from window counts and the mixture",
            oracle.learnt_from_windows_and_mixture(),
        ),
    ):
        cells = {
            "all": roc_auc_score(bought, scores),
            "active": roc_auc_score(bought[active], scores[active]),
        }
        print(
            f"{label:70}"
            + "".join(f"{cells[k]:>10.3f} ({cells[k] / truth_auc[k]:.2f})" for k in ("all", "active"))
        )
    right = (oracle.names[oracle.weight.argmax(axis=0)] == oracle.segment).mean()
    print(f"segment of the mixture's heaviest weight right for {right:.1%} of persons")


if __name__ == "__main__":
    main()
