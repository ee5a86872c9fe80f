"""Purchase intent against its targets (issue 5): the model beside its baselines, against the
generator's truth, offers beside the best-seller, and the cost of training and scoring.

    python benchmarks/intent.py [--persons 10000] [--days 60] [--seed 1] [--end-date 2026-03-31] [--keep DIR]

Generates a zone (or reuses --zone, a folder with landing/ and truth/), then runs the whole
asset graph once through Dagster (``run_everything``: one ingestion run, one downstream run)
in a temporary instance (``dg.instance_for_test``) against a temporary SQLite warehouse, and
prints:

* out-of-time ROC-AUC, PR-AUC and Brier score of the model and of each baseline (RFM-only,
  web-only, BG/NBD), all trained and judged on the same split, as stored in the
  ``intent_models`` row's ``metrics``; the lift of the cross-experience model over web-only;
* holdout ROC-AUC against the truth: every scored customer (``intent_scores``) is given the
  person owning most of its records (``customer_records`` joined to ``truth/records.csv``); a
  person's score is the highest of their customers' (a person split across customers buys if
  any part of them does); over the persons scored, ROC-AUC of that score against
  ``purchased_holdout`` beside ROC-AUC of the generator's own ``p_purchase_holdout`` (the best
  any model could rank) on the same persons, and the ratio; beside them the bound of
  ``intent_oracle.py`` (a regressor learning the truth itself from the zone's activity seen
  perfectly) on the same persons, which a pipeline working from the landed files, seeing less
  and learning from purchases, should not expect to pass, and the model's share of it (issue
  13's target: >= 0.95);
* offer precision of ``next_best_actions`` (``offer_hits``: the offered product bought,
  or anything in the offered category for a category offer, in the holdout; the truth's
  holdout purchases are given to every customer whose majority person made them) beside
  the same customers offered the best-selling product of the landed history
  (``most_popular_offers``), and the ratio; the offers taken up, and an exact sign test over
  the customers where only one of the two offers was (at 10k persons that is a dozen or two);
* wall time of every step of the two runs, from the instance's event log (STEP_START to
  STEP_SUCCESS), with training (intent_training_set + intent_model) and scoring
  (intent_scores + next_best_actions) beside the target: 100,000 customers in under 3 minutes.

Figures, not pass/fail. Wall times are of a 2-core machine that may be busy with other jobs
(the load average is printed).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import dagster as dg  # noqa: E402
from dagster import DagsterEventType  # noqa: E402
from intent_oracle import Oracle, hidden_paths  # noqa: E402
from scipy.stats import binomtest  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from xsignals_dagster.contract.tables import PURCHASES_TABLE, intent_models  # noqa: E402
from xsignals_dagster.demo.generate import generate  # noqa: E402
from xsignals_dagster.headless import run_everything  # noqa: E402
from xsignals_dagster.intent import most_popular_offers, offer_hits  # noqa: E402
from xsignals_dagster.resources import GroundTruth, IntentConfig, LandingZone, Warehouse  # noqa: E402
from xsignals_dagster.warehouse import WarehouseStore  # noqa: E402

TRAINING_STEPS = ("intent_training_set", "intent_model")
SCORING_STEPS = ("intent_scores", "next_best_actions")
TIME_TARGET_SECONDS = 180.0
TIME_TARGET_CUSTOMERS = 100_000
# Issue 13: the model's holdout AUC against the perfectly-observed bound (the 0.9 x truth of issue 5
# sat at that bound itself).
BOUND_RATIO_TARGET = 0.95
BASELINES = ("rfm_only", "web_only", "bg_nbd")


# --------------------------------------------------------------------------- running the graph


@contextlib.contextmanager
def stderr_to(path: Path):
    """Dagster's per-event console log (stderr, file descriptor 2) into a file for the duration."""
    sys.stderr.flush()
    saved = os.dup(2)
    with path.open("w") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def run_graph(
    landing: Path, warehouse_url: str
) -> tuple[float, dict[str, dict[str, float]], dict[str, float]]:
    """Run everything once in a test instance; wall time, {stage: {step: seconds}}, {stage: run seconds}."""
    resources = {
        "landing": LandingZone(root=str(landing)),
        "warehouse": Warehouse(url=warehouse_url),
        "truth": GroundTruth(folder=""),  # the pipeline never sees the truth here
        "intent_config": IntentConfig(),
    }
    with dg.instance_for_test() as instance:
        started = time.perf_counter()
        run_everything(instance, landing, resources=resources)
        wall = time.perf_counter() - started
        steps, runs = {}, {}
        for run in instance.get_runs():
            stage = run.tags.get("xsignals/stage", run.run_id[:8])
            steps[stage], runs[stage] = step_seconds(instance, run.run_id)
    return wall, steps, runs


def step_seconds(instance: dg.DagsterInstance, run_id: str) -> tuple[dict[str, float], float]:
    """Seconds from STEP_START to STEP_SUCCESS of every step of a run, and RUN_START to RUN_SUCCESS."""
    kinds = {
        DagsterEventType.STEP_START,
        DagsterEventType.STEP_SUCCESS,
        DagsterEventType.RUN_START,
        DagsterEventType.RUN_SUCCESS,
    }
    started, seconds, run = {}, {}, {}
    for entry in instance.all_logs(run_id, of_type=kinds):
        kind = entry.dagster_event.event_type
        if kind == DagsterEventType.STEP_START:
            started[entry.step_key] = entry.timestamp
        elif kind == DagsterEventType.STEP_SUCCESS:
            seconds[entry.step_key] = entry.timestamp - started.get(entry.step_key, entry.timestamp)
        else:
            run[kind] = entry.timestamp
    total = run.get(DagsterEventType.RUN_SUCCESS, np.nan) - run.get(DagsterEventType.RUN_START, np.nan)
    return seconds, total


# --------------------------------------------------------------------------- truth


def record_persons(truth: Path) -> pd.DataFrame:
    """source, record_key, person_id of every clean landed row (roster versions share a key)."""
    records = pd.read_csv(truth / "records.csv", dtype=str, keep_default_na=False)
    return records[records["person_id"] != ""].drop_duplicates(["source", "record_key"])


def customer_persons(customer_records: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """customer_id, person_id (the person owning most of the customer's records; ties: the
    smallest person_id), records, share (of the customer's records with a known person)."""
    owned = customer_records.dropna(subset=["customer_id"])[["source", "record_key", "customer_id"]]
    owned = owned.astype({"source": str, "record_key": str, "customer_id": str})
    joined = owned.merge(records, on=["source", "record_key"], how="inner")
    counts = joined.groupby(["customer_id", "person_id"]).size().rename("n").reset_index()
    counts = counts.sort_values(["customer_id", "n", "person_id"], ascending=[True, False, True])
    totals = counts.groupby("customer_id")["n"].sum()
    majority = counts.drop_duplicates("customer_id").set_index("customer_id")
    return pd.DataFrame(
        {
            "customer_id": majority.index,
            "person_id": majority["person_id"].to_numpy(),
            "records": totals.reindex(majority.index).to_numpy(),
            "share": (majority["n"] / totals.reindex(majority.index)).to_numpy(),
        }
    )


def holdout_auc(
    scores: pd.DataFrame, owners: pd.DataFrame, persons: pd.DataFrame, bound: pd.Series
) -> dict[str, float]:
    """Holdout ROC-AUC, over the persons scored, of the model, the truth and `bound` (a score per
    person_id)."""
    scored = (
        scores[["customer_id", "intent_score"]]
        .astype({"customer_id": str})
        .merge(owners, on="customer_id", how="inner")
    )
    per_person = scored.groupby("person_id")["intent_score"].max().rename("score").reset_index()
    judged = per_person.merge(
        persons[["person_id", "p_purchase_holdout", "purchased_holdout"]], on="person_id", how="inner"
    )
    labels = judged["purchased_holdout"].astype(int).to_numpy()

    def auc(ranking) -> float:
        ranking = np.asarray(ranking, dtype=float)
        return (
            float(roc_auc_score(labels, ranking))
            if 0 < labels.sum() < len(labels) and not np.isnan(ranking).any()
            else float("nan")
        )

    return {
        "customers_scored": float(len(scores)),
        "customers_with_a_person": float(len(scored)),
        "persons": float(len(judged)),
        "persons_total": float(len(persons)),
        "split_persons": float((scored.groupby("person_id").size() > 1).sum()),
        "buyers": float(labels.sum()),
        "model_auc": auc(judged["score"]),
        "true_auc": auc(judged["p_purchase_holdout"].astype(float)),
        "bound_auc": auc(bound.reindex(judged["person_id"]).to_numpy()),
    }


def perfectly_observed_bound(truth: Path, persons: pd.DataFrame) -> pd.Series:
    """intent_oracle.py's best ranking of the zone's persons (by person_id); empty when this
    generator no longer draws the zone's hidden paths (a zone from another version)."""
    meta = json.loads((truth / "meta.json").read_text())
    world, paths = hidden_paths(
        meta["persons"],
        meta["days"],
        meta["seed"],
        dt.date.fromisoformat(meta["end_date"]),
        meta["horizon_days"],
    )
    drawn = pd.Series(paths.p_holdout.round(6), index=world.column("person_id"))
    if not np.allclose(
        drawn.reindex(persons["person_id"]).to_numpy(), persons["p_purchase_holdout"].to_numpy()
    ):
        print(
            "bound: this generator draws other hidden paths than the zone's truth; no bound printed",
            file=sys.stderr,
        )
        return pd.Series(dtype=float)
    return pd.Series(
        Oracle(world, paths, meta["seed"]).learnt_from_windows_and_mixture(), index=world.column("person_id")
    )


def holdout_purchases_of_customers(holdout: pd.DataFrame, owners: pd.DataFrame) -> pd.DataFrame:
    """The truth's holdout purchase lines given to every customer whose majority person made them."""
    return holdout.merge(owners[["customer_id", "person_id"]], on="person_id", how="inner")[
        ["customer_id", "product_id", "category"]
    ]


# --------------------------------------------------------------------------- printing


def fmt(value: float, digits: int = 3) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else f"{value:.{digits}f}"


def print_model_table(evidence: dict) -> None:
    model, baselines = evidence["model"], evidence["baselines"]
    columns = ["model", *BASELINES]
    metrics = {"model": model, **{b: baselines.get(b, {}) for b in BASELINES}}
    print(
        f"{'out of time (' + str(int(model.get('rows', 0))) + ' customers)':34}"
        + "".join(f"{c:>12}" for c in columns)
    )
    for key, label in (
        ("roc_auc", "ROC-AUC"),
        ("pr_auc", "PR-AUC"),
        ("brier", "Brier"),
        ("brier_constant", "Brier of the base rate"),
    ):
        print(f"{label:34}" + "".join(f"{fmt(metrics[c].get(key, float('nan'))):>12}" for c in columns))
    web = baselines.get("web_only", {})
    if "roc_auc" in web:
        print(
            f"{'lift over web-only':34}ROC-AUC {model['roc_auc'] - web['roc_auc']:+.3f}, "
            f"PR-AUC x{model['pr_auc'] / web['pr_auc']:.2f}, Brier {model['brier'] - web['brier']:+.4f}"
        )
    losses = evidence.get("ablation_auc_loss") or {}
    if losses:
        print(
            f"{'ablation: AUC lost without':34}"
            + ", ".join(f"{k} {v:+.3f}" for k, v in losses.items() if v == v)
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--end-date", type=dt.date.fromisoformat, default=dt.date(2026, 3, 31), help="last extract date"
    )
    parser.add_argument(
        "--zone", type=Path, help="an existing generated folder (with landing/ and truth/) to reuse"
    )
    parser.add_argument(
        "--keep", type=Path, help="work in this folder (zone, warehouse.db) and leave it there"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="xsignals-intent-bench-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        zone = args.zone
        if zone is None:
            zone = folder / "zone"
            started = time.perf_counter()
            generate(args.persons, args.days, seed=args.seed, out=zone, end_date=args.end_date)
            print(
                f"generated {args.persons:,} persons x {args.days} days (seed {args.seed}) "
                f"in {time.perf_counter() - started:.1f} s"
            )
        landing, truth = zone / "landing", zone / "truth"
        database = folder / "warehouse.db"
        database.unlink(missing_ok=True)
        url = f"sqlite:///{database}"

        load_before = os.getloadavg()
        dagster_log = folder / "dagster.log"
        try:
            with stderr_to(dagster_log):
                wall, steps, runs = run_graph(landing, url)
        except Exception:
            print(f"the pipeline failed; the end of Dagster's log ({dagster_log}):", file=sys.stderr)
            print("".join(dagster_log.read_text().splitlines(keepends=True)[-30:]), file=sys.stderr)
            raise
        load_after = os.getloadavg()
        print(
            f"pipeline (run_everything, SQLite) {wall:.1f} s wall; "
            f"load average (1 min) {load_before[0]:.1f} before, "
            f"{load_after[0]:.1f} after, on {os.cpu_count()} cores"
        )

        store = WarehouseStore(url)
        models = store.query(
            sa.select(intent_models.c.version, intent_models.c.metrics).order_by(
                intent_models.c.trained_at.desc()
            )
        )
        scores = store.read_table("intent_scores")
        actions = store.read_table("next_best_actions")
        customer_records = store.read_table("customer_records")
        training_rows = store.query(sa.text("select count(*) as n from intent_training_set"))["n"].iloc[0]
        purchases = store.read_table(PURCHASES_TABLE)
        store.dispose()

        print()
        if models.empty:
            print("no intent model was trained (see the intent_model step's log): nothing to compare")
            return
        evidence = json.loads(models["metrics"].iloc[0])
        print(
            f"model {models['version'].iloc[0]}: {len(scores):,} customers scored, "
            f"{training_rows:,} training rows"
        )
        print_model_table(evidence)

        persons = pd.read_csv(truth / "persons.csv", dtype={"person_id": str})
        owners = customer_persons(customer_records, record_persons(truth))
        auc = holdout_auc(scores, owners, persons, perfectly_observed_bound(truth, persons))
        print()
        print(
            f"holdout vs truth: {int(auc['customers_scored']):,} customers scored, "
            f"{int(auc['customers_with_a_person']):,} "
            f"with a person; {int(auc['persons']):,} of {int(auc['persons_total']):,} persons "
            f"({int(auc['split_persons']):,} split over several customers), "
            f"{int(auc['buyers']):,} bought in the holdout"
        )
        ratio = auc["model_auc"] / auc["true_auc"]
        print(f"{'holdout ROC-AUC':34}{'intent_score':>14}{'p_purchase_holdout':>20}{'ratio':>8}")
        print(
            f"{'  over the same persons':34}{fmt(auc['model_auc']):>14}{fmt(auc['true_auc']):>20}"
            f"{fmt(ratio, 2):>8}"
        )
        print(
            f"{'  bound: activity seen perfectly':34}{fmt(auc['bound_auc']):>14}{fmt(auc['true_auc']):>20}"
            f"{fmt(auc['bound_auc'] / auc['true_auc'], 2):>8}"
            "  (intent_oracle.py: a regressor learning the truth itself from every session, event, "
            "visit and purchase)"
        )
        print(
            f"{'  model / bound':34}{fmt(auc['model_auc'] / auc['bound_auc'], 3):>14}"
            f"{'':>20}{'':>8}  (target >= {BOUND_RATIO_TARGET})"
        )

        holdout = pd.read_csv(
            truth / "holdout_purchases.csv", dtype={"person_id": str, "product_id": str, "category": str}
        )
        bought = holdout_purchases_of_customers(holdout, owners)
        print()
        if actions.empty:
            print("no next-best actions: no offer precision")
        else:
            actions = actions.astype({"customer_id": str})
            popular = most_popular_offers(actions, purchases.astype({"customer_id": str}))
            ours_hit, theirs_hit = offer_hits(actions, bought), offer_hits(popular, bought)
            ours, theirs = ours_hit.mean(), theirs_hit.mean()
            on_product = int(actions["product_id"].notna().sum())
            print(
                f"offers: {len(actions):,} next-best actions ({on_product:,} on a product, "
                f"{len(actions) - on_product:,} on a category); "
                f"best-seller {popular['product_id'].iloc[0]} ({popular['category'].iloc[0]})"
            )
            print(
                f"{'offer precision (holdout)':34}{'next_best_actions':>18}{'most popular':>14}{'ratio':>8}"
            )
            print(
                f"{'':34}{fmt(ours):>18}{fmt(theirs):>14}"
                f"{fmt(ours / theirs if theirs else float('nan'), 2):>8}"
            )
            only_ours, only_theirs = int((ours_hit & ~theirs_hit).sum()), int((theirs_hit & ~ours_hit).sum())
            sign_test = (
                binomtest(only_ours, only_ours + only_theirs).pvalue
                if only_ours + only_theirs
                else float("nan")
            )
            print(
                f"{'  taken up':34}{int(ours_hit.sum()):>18,}{int(theirs_hit.sum()):>14,}  "
                f"(same customers: only ours {only_ours:,}, only the best-seller {only_theirs:,}; "
                f"exact sign test p = {fmt(sign_test)})"
            )

        print()
        print(f"{'step (seconds, from the event log)':34}{'seconds':>10}")
        for stage in ("ingest", "downstream"):
            for step, seconds in steps.get(stage, {}).items():
                print(f"  {stage + ': ' + step:32}{seconds:>10.1f}")
            print(f"  {stage + ' run (start to success)':32}{runs.get(stage, float('nan')):>10.1f}")
        downstream = steps.get("downstream", {})
        training = sum(downstream.get(s, float("nan")) for s in TRAINING_STEPS)
        scoring = sum(downstream.get(s, float("nan")) for s in SCORING_STEPS)
        customers = len(scores)
        print(
            f"{'training + scoring':34}{training + scoring:>10.1f}  "
            f"(training {training:.1f} + scoring {scoring:.1f}) "
            f"for {customers:,} customers; target < {TIME_TARGET_SECONDS:.0f} s for {TIME_TARGET_CUSTOMERS:,}"
        )


if __name__ == "__main__":
    main()
