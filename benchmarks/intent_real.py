"""Purchase intent on real transactions (issue 13): xsignals through the whole pipeline beside
the buy-till-you-die classics on CDNOW.

    python benchmarks/intent_real.py [--sample] [--horizons 30,91,182] [--ends 1997-12-31,...] [--keep DIR]

CDNOW (Fader & Hardie: the CD purchases of the 23,570 customers who first bought at CDNOW in
the first quarter of 1997, up to 1998-06-30; ``--sample`` for its 1/10th sample of 2,357)
is read from the ``lifetimes`` package as it ships. Each split is a calibration end date E
and a horizon H:

* the log up to E is landed as daily ``pos`` files (``land_transactions``: one sale line per
  purchase, the customer as ``loyalty_id``, a file for every day up to E) and run through
  ``xsignals run`` in a subprocess, with its own temporary SQLite warehouse, DAGSTER_HOME and
  ``XSIGNALS_INTENT_HORIZON_DAYS=H``, as a user would: nothing of the model is called here;
* from the warehouse: ``intent_scores`` (customer_id, intent_score, model_version) and
  ``customer_identifiers`` (loyalty_id -> customer_id), so every CDNOW customer gets the
  score of the customer xsignals made of them;
* the label: the CDNOW customer bought on a day E+1 ... E+H;
* on the same customers (those who had bought by E, and xsignals scored when it scored
  anyone), from the same repeat-purchase histories (``purchase_history``: repeat purchase
  days x, last one t_x, age T, as of E): BG/NBD and Pareto/NBD fitted by PyMC-Marketing's CLV
  module by MAP with its default priors (time in weeks, the unit of Fader, Hardie & Lee and of
  the library's CDNOW examples, where those priors sit), and the project's own BG/NBD and
  Pareto/NBD (maximum likelihood: ``fit_bg_nbd`` and ``probability_of_purchase``,
  ``fit_pareto_nbd`` and ``pareto_probability_of_purchase``);
* ROC-AUC, PR-AUC (average precision) and top-decile lift of each, xsignals' ROC-AUC minus
  each classic's (target: at least +0.005 on every split), the model_version that scored,
  and the split's customers and buyers.

P(at least one purchase in H) from PyMC-Marketing: Pareto/NBD is 1 - its
``expected_purchase_probability(n_purchases=0, future_t=H)``. BG/NBD is 1 - its
``expected_probability_no_purchase(t=H)`` for customers with a repeat purchase; for those
without one (x = 0) that function also counts a dropout after the last purchase (the term in
B(a + 1, b + x - 1)), which BG/NBD rules out before the first repeat purchase, so for them it
is derived from the fitted r and alpha: alive for sure, no purchase in H with probability
((alpha + T) / (alpha + T + H))^r, the gamma-Poisson chance of no tick.

Default splits, each window inside CDNOW's 1997-01-01 ... 1998-06-30: 30 and 91 days after
1997-09-30, 1997-12-31 and 1998-03-31 (three quarters, one year and five quarters of
history), 182 days after 1997-09-30 and 1997-12-30 (182 days after 1997-12-30 is 1998-06-30).
``--ends`` replaces the ends of every chosen horizon; a window past 1998-06-30 is skipped.
``--bound`` adds, per split, what the model family could reach at best on the features the
pipeline computed: an oracle-like bound, not a model anyone could serve. Read from the split's
warehouse (``intent_training_set``, ``customer_profiles``), the project's classifier
(``fit_boosting``: BG/NBD's reading of the history, then gradient boosting) is trained on every
training snapshot *and* on four fifths of the split's customers as of E with their labels from
the label window itself (the answers), and scores the fifth left out (five folds); beside it
the same out-of-fold scores stacked with the own Pareto/NBD probability (a logistic regression
on both logits, itself cross-validated). The higher of the two is printed as ``bound``, with
its margin over each classic. It estimates what the features carry; it proves no limit: it is
one boosting fit, and the served model, which averages four (its calibration folds), reached
0.786 on 30 d after 1997-09-30, above the 0.785 the bound had printed there.

Figures, not pass/fail. Times are of a 2-core machine that may be busy (load average printed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import dagster as dg  # noqa: E402
from scipy.special import logit  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import average_precision_score, roc_auc_score  # noqa: E402
from sklearn.model_selection import KFold, cross_val_predict  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from xsignals_dagster.demo.transactions import CDNOW_LAST_DAY, land_transactions, read_cdnow  # noqa: E402
from xsignals_dagster.intent import (  # noqa: E402
    fit_bg_nbd,
    fit_pareto_nbd,
    lift_table,
    pareto_probability_of_purchase,
    probability_of_purchase,
    purchase_history,
)
from xsignals_dagster.intent.features import LABEL, categorical_columns_of, feature_columns_of  # noqa: E402
from xsignals_dagster.intent.model import IntentSettings, fit_boosting, fit_encoding  # noqa: E402
from xsignals_dagster.warehouse import WarehouseStore  # noqa: E402

log = logging.getLogger("intent_real")

DEFAULT_ENDS = {
    30: ("1997-09-30", "1997-12-31", "1998-03-31"),
    91: ("1997-09-30", "1997-12-31", "1998-03-31"),
    182: ("1997-09-30", "1997-12-30"),
}
XSIGNALS = "xsignals"
BOUND = "bound"
BOUND_FOLDS = 5
CLASSICS = ("bg_nbd_pymc", "pareto_nbd_pymc", "bg_nbd_own", "pareto_nbd_own")
LABELS = {
    XSIGNALS: "xsignals",
    "bg_nbd_pymc": "BG/NBD PyMC-M",
    "pareto_nbd_pymc": "Pareto/NBD PyMC-M",
    "bg_nbd_own": "BG/NBD own",
    "pareto_nbd_own": "Pareto/NBD own",
    BOUND: "bound (oracle)",
}
AUC_MARGIN_TARGET = 0.005
DAYS_PER_WEEK = 7.0


@dataclass(frozen=True)
class Split:
    end: dt.date
    horizon: int

    @property
    def name(self) -> str:
        return f"{self.horizon} d after {self.end}"


@dataclass
class XsignalsRun:
    scores: pd.Series  # intent_score by CDNOW customer id
    model_versions: list[str]
    as_of: list[str]
    seconds: float
    why_no_scores: str = ""


# --------------------------------------------------------------------------- xsignals


def run_xsignals(purchases: pd.DataFrame, split: Split, folder: Path) -> XsignalsRun:
    """Land the log up to the split's end, `xsignals run` it in a fresh warehouse and instance,
    and read back each CDNOW customer's score."""
    landing, home = folder / "landing", folder / "dagster_home"
    landed = land_transactions(purchases, landing, until=split.end)
    log.info("%s: landed %d pos files, %d purchases; running xsignals", split.name, landed.files, landed.rows)
    url = f"sqlite:///{folder / 'warehouse.db'}"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("XSIGNALS_")}
    environment.update(
        XSIGNALS_LANDING_DIR=str(landing),
        XSIGNALS_WAREHOUSE_URL=url,
        XSIGNALS_INTENT_HORIZON_DAYS=str(split.horizon),
        DAGSTER_HOME=str(home),
    )
    output = folder / "xsignals-run.log"
    started = time.perf_counter()
    with output.open("w") as sink:
        ran = subprocess.run(
            [str(Path(sys.executable).parent / "xsignals"), "run"],
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    seconds = time.perf_counter() - started
    if ran.returncode != 0:
        # The classics are still judged on this split; the run's own one-line reason is its last line.
        reason = output.read_text().strip().splitlines()[-1]
        log.error(
            "%s: xsignals run failed after %.0f s (its log: %s): %s", split.name, seconds, output, reason
        )
        return XsignalsRun(pd.Series(dtype=float), [], [], seconds, why_no_scores=reason)
    log.info("%s: xsignals run took %.0f s", split.name, seconds)

    store = WarehouseStore(url)
    scores = store.read_table("intent_scores")
    identifiers = store.read_table("customer_identifiers")
    store.dispose()
    loyalty = identifiers.loc[identifiers["id_type"] == "loyalty_id", ["id_value", "customer_id"]].astype(str)
    by_customer = scores.astype({"customer_id": str}).set_index("customer_id")["intent_score"].astype(float)
    cdnow_scores = loyalty.assign(score=loyalty["customer_id"].map(by_customer)).dropna(subset=["score"])
    return XsignalsRun(
        # A CDNOW id under several customers (none is, with sales alone) takes their highest score.
        scores=cdnow_scores.groupby("id_value")["score"].max(),
        model_versions=sorted(scores["model_version"].dropna().astype(str).unique()),
        as_of=sorted(scores["as_of"].dropna().astype(str).unique()),
        seconds=seconds,
        why_no_scores="" if len(cdnow_scores) else why_no_model(home),
    )


def why_no_model(home: Path) -> str:
    """What the intent_model step said when it trained nothing (its materialization's reason)."""
    with dg.DagsterInstance.from_config(str(home)) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey("intent_model"))
    if event is None or event.asset_materialization is None:
        return "intent_model did not materialize"
    reason = event.asset_materialization.metadata.get("reason")
    return str(reason.value) if reason is not None else "no reason recorded"


# --------------------------------------------------------------------------- the classics


def pymc_marketing_probabilities(history: pd.DataFrame, horizon: int) -> dict[str, pd.Series]:
    """P(at least one purchase in `horizon` days) from PyMC-Marketing's BG/NBD and Pareto/NBD,
    fitted by MAP on `history` in weeks (see the module docstring for x = 0 under BG/NBD)."""
    data = pd.DataFrame(
        {
            "customer_id": np.arange(len(history)),
            "frequency": history["x"].to_numpy(),
            "recency": history["t_x"].to_numpy() / DAYS_PER_WEEK,
            "T": history["T"].to_numpy() / DAYS_PER_WEEK,
        }
    )
    weeks = horizon / DAYS_PER_WEEK
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ArviZ's refactoring notice, PyTensor's BLAS advice
        from pymc_marketing.clv import BetaGeoModel, ParetoNBDModel

        bg_nbd = fit_by_map(BetaGeoModel(), data, "r alpha a b", "BG/NBD")
        no_purchase = bg_nbd.expected_probability_no_purchase(t=weeks, data=data).squeeze().to_numpy()
        r, alpha = (float(bg_nbd.fit_result[name].squeeze()) for name in ("r", "alpha"))
        first_repeat_pending = 1.0 - ((alpha + data["T"]) / (alpha + data["T"] + weeks)) ** r
        bg_nbd_probability = np.where(data["frequency"] > 0, 1.0 - no_purchase, first_repeat_pending)

        pareto_nbd = fit_by_map(ParetoNBDModel(), data, "r alpha s beta", "Pareto/NBD")
        pareto_no_purchase = pareto_nbd.expected_purchase_probability(
            data=data, n_purchases=0, future_t=weeks
        )
        pareto_probability = 1.0 - pareto_no_purchase.squeeze().to_numpy()
    return {
        "bg_nbd_pymc": pd.Series(bg_nbd_probability, index=history.index),
        "pareto_nbd_pymc": pd.Series(pareto_probability, index=history.index),
    }


def fit_by_map(model, data: pd.DataFrame, parameters: str, name: str):
    """`model` (a PyMC-Marketing CLV model) fitted by MAP; logs the time and the `parameters` found."""
    started = time.perf_counter()
    model.fit(data=data, method="map", progressbar=False)
    found = ", ".join(f"{name} {float(model.fit_result[name].squeeze()):.3g}" for name in parameters.split())
    log.info("PyMC-Marketing %s by MAP in %.0f s: %s", name, time.perf_counter() - started, found)
    return model


def own_bg_nbd_probability(history: pd.DataFrame, horizon: int) -> pd.Series:
    params = fit_bg_nbd(history)
    log.info(
        "own BG/NBD by maximum likelihood: r %.3g, alpha %.3g (days), a %.3g, b %.3g",
        params.r,
        params.alpha,
        params.a,
        params.b,
    )
    return probability_of_purchase(params, history, horizon)


def own_pareto_nbd_probability(history: pd.DataFrame, horizon: int) -> pd.Series:
    params = fit_pareto_nbd(history)
    log.info(
        "own Pareto/NBD by maximum likelihood: r %.3g, alpha %.3g (days), s %.3g, beta %.3g (days)",
        params.r,
        params.alpha,
        params.s,
        params.beta,
    )
    return pareto_probability_of_purchase(params, history, horizon)


# --------------------------------------------------------------------------- the bound


def oracle_bound(folder: Path, history: pd.DataFrame, labels: np.ndarray, pareto: pd.Series) -> pd.Series:
    """Out-of-fold scores of the bound (module docstring) for the customers of `history`
    (CDNOW ids), `labels` their purchases in the label window, `pareto` the own Pareto/NBD
    probability; NaN for a customer xsignals has no profile row for."""
    store = WarehouseStore(f"sqlite:///{folder / 'warehouse.db'}")
    training_set = store.read_table("intent_training_set")
    profiles = store.read_table("customer_profiles")
    identifiers = store.read_table("customer_identifiers")
    store.dispose()
    loyalty = identifiers.loc[identifiers["id_type"] == "loyalty_id", ["id_value", "customer_id"]].astype(str)
    cdnow_of = loyalty.drop_duplicates("customer_id").set_index("customer_id")["id_value"]
    profiles = profiles.assign(cdnow=profiles["customer_id"].astype(str).map(cdnow_of))
    profiles = profiles.dropna(subset=["cdnow"]).drop_duplicates("cdnow").set_index("cdnow")
    profiles = profiles.reindex(history.index).dropna(subset=["customer_id"])
    columns = [c for c in feature_columns_of(training_set) if training_set[c].nunique() >= 2]
    categorical = categorical_columns_of(training_set, columns)
    encoding, encoded_snapshots = fit_encoding(training_set.set_index("customer_id"), columns, categorical)
    encoded_now = encoding.transform(profiles.set_index("customer_id", append=True).droplevel(0))
    outcome = pd.Series(labels, index=history.index).reindex(profiles.index).to_numpy()
    snapshot_labels = training_set[LABEL].to_numpy()
    settings = IntentSettings()
    boosted = np.zeros(len(profiles))
    with threadpool_limits(limits=settings.threads, user_api="openmp"):
        for trained, held_out in KFold(BOUND_FOLDS, shuffle=True, random_state=0).split(encoded_now):
            classifier = fit_boosting(
                pd.concat([encoded_snapshots, encoded_now.iloc[trained]]),
                np.concatenate([snapshot_labels, outcome[trained]]),
                categorical,
                settings,
                calibrated=False,
            )
            boosted[held_out] = classifier.predict_proba(encoded_now.iloc[held_out])[:, 1]
    clipped = np.clip(np.column_stack([boosted, pareto.reindex(profiles.index).to_numpy()]), 1e-9, 1 - 1e-9)
    stacked = cross_val_predict(
        LogisticRegression(),
        logit(clipped),
        outcome,
        cv=KFold(BOUND_FOLDS, shuffle=True, random_state=1),
        method="predict_proba",
    )[:, 1]
    best = max((boosted, stacked), key=lambda scores: roc_auc_score(outcome, scores))
    log.info(
        "bound: boosting on every snapshot and the answers %.4f, stacked with Pareto/NBD %.4f",
        roc_auc_score(outcome, boosted),
        roc_auc_score(outcome, stacked),
    )
    return pd.Series(best, index=profiles.index).reindex(history.index)


# --------------------------------------------------------------------------- judging


def bought_within(purchases: pd.DataFrame, split: Split) -> set[str]:
    days = purchases["ts"].dt.date
    within = (days > split.end) & (days <= split.end + dt.timedelta(days=split.horizon))
    return set(purchases.loc[within, "customer_id"])


def metrics(labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """ROC-AUC, PR-AUC and the top decile's purchase rate over the overall rate (the
    project's own lift table, so the figure means what the model's metadata means)."""
    return {
        "roc_auc": float(roc_auc_score(labels, scores)),
        "pr_auc": float(average_precision_score(labels, scores)),
        "top_decile_lift": float(lift_table(labels, scores)["lift"].iloc[0]),
    }


def judge_split(purchases: pd.DataFrame, split: Split, folder: Path, bound: bool = False) -> dict:
    """Run one split; the figures of every model on the same customers (and the bound's)."""
    run = run_xsignals(purchases, split, folder)
    bought_by_end = purchase_history(purchases, pd.Timestamp(split.end, tz="UTC"))
    history = bought_by_end[bought_by_end.index.isin(run.scores.index)] if len(run.scores) else bought_by_end
    started = time.perf_counter()
    probabilities = {
        **pymc_marketing_probabilities(history, split.horizon),
        "bg_nbd_own": own_bg_nbd_probability(history, split.horizon),
        "pareto_nbd_own": own_pareto_nbd_probability(history, split.horizon),
    }
    classics_seconds = time.perf_counter() - started
    if len(run.scores):
        probabilities[XSIGNALS] = run.scores.reindex(history.index)
    labels = history.index.isin(bought_within(purchases, split)).astype(int)
    if bound and len(run.scores):
        probabilities[BOUND] = oracle_bound(folder, history, labels, probabilities["pareto_nbd_own"])
    # The bound may miss customers without a profile row (none, with sales alone): judged on the rest.
    figures = {
        name: metrics(labels[scores.notna().to_numpy()], scores.dropna().to_numpy(dtype=float))
        for name, scores in probabilities.items()
    }
    return {
        "split": split,
        "customers": len(history),
        "buyers": int(labels.sum()),
        "unscored": len(bought_by_end) - len(history),
        "model_versions": run.model_versions,
        "as_of": run.as_of,
        "no_model_reason": run.why_no_scores,
        "figures": figures,
        "xsignals_seconds": run.seconds,
        "classics_seconds": classics_seconds,
    }


# --------------------------------------------------------------------------- printing


def fmt(value: float | None, digits: int = 3, sign: bool = False) -> str:
    if value is None or np.isnan(value):
        return ""
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def print_split(result: dict) -> None:
    split, figures = result["split"], result["figures"]
    window = f"{split.end + dt.timedelta(days=1)} ... {split.end + dt.timedelta(days=split.horizon)}"
    print()
    print(
        f"split: {split.horizon} days after {split.end} (history to {split.end}, label window {window}): "
        f"{result['customers']:,} customers, {result['buyers']:,} bought "
        f"({result['buyers'] / result['customers']:.1%})"
    )
    if XSIGNALS in figures:
        unscored = f", {result['unscored']:,} CDNOW customers unscored" if result["unscored"] else ""
        print(
            f"xsignals: scored by model_version {', '.join(result['model_versions'])} "
            f"as of {', '.join(result['as_of'])}{unscored}"
        )
    else:
        versions = ", ".join(result["model_versions"]) or "none"
        print(f"xsignals: no scores (model_version {versions}): {result['no_model_reason']}")
    columns = [c for c in (XSIGNALS, *CLASSICS, BOUND) if c in figures]
    print(f"{'':22}" + "".join(f"{LABELS[c]:>19}" for c in columns))
    for key, label in (("roc_auc", "ROC-AUC"), ("pr_auc", "PR-AUC"), ("top_decile_lift", "top-decile lift")):
        print(f"{label:22}" + "".join(f"{fmt(figures[c][key]):>19}" for c in columns))
    if XSIGNALS in figures:
        margins = [figures[XSIGNALS]["roc_auc"] - figures[c]["roc_auc"] for c in CLASSICS]
        print(
            f"{'xsignals AUC minus':22}{'':19}"
            + "".join(f"{fmt(m, sign=True):>19}" for m in margins)
            + f"  (target >= +{AUC_MARGIN_TARGET})"
        )
    if BOUND in figures:
        margins = [figures[BOUND]["roc_auc"] - figures[c]["roc_auc"] for c in CLASSICS]
        print(f"{'bound AUC minus':22}{'':19}" + "".join(f"{fmt(m, sign=True):>19}" for m in margins))
    print(
        f"time: xsignals run {result['xsignals_seconds']:.0f} s (landed files to scores), "
        f"the four classics {result['classics_seconds']:.0f} s"
    )


def print_summary(results: list[dict]) -> None:
    print()
    print("ROC-AUC on every split (xsignals minus each classic in brackets; target >= +0.005)")
    print(
        f"{'split':22}{'customers':>10}{'buyers':>8}  {'model_version':24}"
        + "".join(f"{LABELS[c]:>19}" for c in (XSIGNALS, *CLASSICS))
        + (f"{'bound (- best classic)':>23}" if any(BOUND in r["figures"] for r in results) else "")
    )
    for result in results:
        figures = result["figures"]
        ours = figures.get(XSIGNALS, {}).get("roc_auc", np.nan)
        cells = [fmt(ours)] + [
            f"{fmt(figures[c]['roc_auc'])} ({fmt(ours - figures[c]['roc_auc'], sign=True)})"
            if ours == ours
            else fmt(figures[c]["roc_auc"])
            for c in CLASSICS
        ]
        if BOUND in figures:
            bound, best_classic = figures[BOUND]["roc_auc"], max(figures[c]["roc_auc"] for c in CLASSICS)
            cells.append(f"{fmt(bound)} ({fmt(bound - best_classic, sign=True)})")
        version = ", ".join(result["model_versions"]) if XSIGNALS in figures else "no scores"
        print(
            f"{result['split'].name:22}{result['customers']:>10,}{result['buyers']:>8,}  {version[:24]:24}"
            + "".join(f"{c:>19}" for c in cells)
        )


# --------------------------------------------------------------------------- main


def chosen_splits(horizons: list[int], ends: list[dt.date] | None) -> list[Split]:
    splits = []
    for horizon in horizons:
        for end in ends or [dt.date.fromisoformat(e) for e in DEFAULT_ENDS.get(horizon, ())]:
            if end + dt.timedelta(days=horizon) > CDNOW_LAST_DAY:
                log.warning(
                    "skipping %d days after %s: the window passes CDNOW's last day, %s",
                    horizon,
                    end,
                    CDNOW_LAST_DAY,
                )
                continue
            splits.append(Split(end=end, horizon=horizon))
    return splits


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sample", action="store_true", help="CDNOW's 1/10th sample (2,357 customers) instead of the cohort"
    )
    parser.add_argument("--horizons", default="30,91,182", help="comma-separated horizons in days")
    parser.add_argument(
        "--ends", help="comma-separated calibration end dates (replace the defaults of every horizon)"
    )
    parser.add_argument(
        "--bound",
        action="store_true",
        help="add the oracle-like bound of the model family on the pipeline's features (docstring)",
    )
    parser.add_argument(
        "--keep", type=Path, help="work in this folder (one sub-folder a split) and leave it there"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    log.setLevel(logging.INFO)

    horizons = [int(h) for h in args.horizons.split(",")]
    ends = [dt.date.fromisoformat(e) for e in args.ends.split(",")] if args.ends else None
    splits = chosen_splits(horizons, ends)
    purchases = read_cdnow(sample=args.sample)
    purchases = purchases.assign(ts=purchases["ts"].dt.tz_localize("UTC"))
    print(
        f"CDNOW {'sample' if args.sample else 'cohort'}: {purchases['customer_id'].nunique():,} customers, "
        f"{len(purchases):,} purchases, "
        f"{purchases['ts'].min():%Y-%m-%d} ... {purchases['ts'].max():%Y-%m-%d}; "
        f"{len(splits)} split(s); load average (1 min) {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="xsignals-intent-real-") as scratch:
        root = args.keep or Path(scratch)
        for split in splits:
            folder = root / f"{split.horizon}d-{split.end}"
            folder.mkdir(parents=True, exist_ok=False)
            results.append(judge_split(purchases, split, folder, bound=args.bound))
            print_split(results[-1])
            sys.stdout.flush()
    if len(results) > 1:
        print_summary(results)


if __name__ == "__main__":
    main()
