"""How much of the truth's ranking our profile features can carry at all (issue 5's ratio).

    python benchmarks/intent_ceiling.py DIR [ZONE]

DIR is a folder left by ``benchmarks/intent.py --keep DIR`` (``warehouse.db`` after the
whole pipeline); ZONE the generated folder with ``truth/`` (default ``DIR/zone``, where
intent.py generates it when not given ``--zone``). Prints holdout ROC-AUC, per person, of:

* the generator's ``p_purchase_holdout`` (the truth) and of its segment's mean alone;
* a gradient-boosting regressor that learns the truth's own probability from our profile
  features (5-fold cross-fitted, so no person scores itself), with the profile built on
  perfect identity (the truth's record owners) and on the resolved customers
  (``customer_profiles``, a person's best customer). No purchase model can rank better
  than what its features let this regressor reach, so this is a ceiling for the features,
  not a model.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold, cross_val_predict

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from intent import customer_persons, record_persons  # noqa: E402

from xsignals_dagster.contract.sources import IDENTITY_SOURCES  # noqa: E402
from xsignals_dagster.ingest.frames import end_of_day, load_source_frames, newest_extract_date  # noqa: E402
from xsignals_dagster.signals.profile import build_profile, compute_signals  # noqa: E402
from xsignals_dagster.warehouse import WarehouseStore  # noqa: E402


def numeric(profile: pd.DataFrame) -> pd.DataFrame:
    columns = [
        c for c in profile.columns if pd.api.types.is_numeric_dtype(profile[c]) and profile[c].dtype != bool
    ]
    return profile[columns].astype(float)


def learnt_truth(features: pd.DataFrame, truth: np.ndarray, groups: np.ndarray) -> np.ndarray:
    regressor = HistGradientBoostingRegressor(
        min_samples_leaf=200, max_iter=200, learning_rate=0.05, random_state=0
    )
    return cross_val_predict(regressor, features, truth, groups=groups, cv=GroupKFold(n_splits=5))


def main() -> None:
    folder = Path(sys.argv[1])
    truth_folder = (Path(sys.argv[2]) if len(sys.argv) > 2 else folder / "zone") / "truth"
    persons = pd.read_csv(truth_folder / "persons.csv", dtype={"person_id": str}).set_index("person_id")
    store = WarehouseStore(f"sqlite:///{folder / 'warehouse.db'}")
    as_of = end_of_day(newest_extract_date(store))

    def report(label: str, person_ids: pd.Series, scores: np.ndarray) -> None:
        best = pd.Series(scores, index=person_ids.to_numpy()).groupby(level=0).max()
        judged = persons.reindex(best.index)
        bought = judged["purchased_holdout"].astype(int)
        print(
            f"{label:72} {roc_auc_score(bought, best):.3f}   truth on the same persons "
            f"{roc_auc_score(bought, judged['p_purchase_holdout']):.3f}"
        )

    everyone = persons.index.to_series()
    report("truth: p_purchase_holdout", everyone, persons["p_purchase_holdout"].to_numpy())
    report(
        "truth: the mean p_purchase_holdout of the person's segment",
        everyone,
        persons.groupby("segment")["p_purchase_holdout"].transform("mean").to_numpy(),
    )

    frames = load_source_frames(store, IDENTITY_SOURCES)
    owners = record_persons(truth_folder).rename(columns={"person_id": "customer_id"})[
        ["source", "record_key", "customer_id"]
    ]
    perfect = build_profile(
        pd.DataFrame({"customer_id": owners["customer_id"].unique(), "is_known": True}),
        compute_signals(frames, owners, as_of),
        frames,
        owners,
        as_of,
    )
    person_of = perfect["customer_id"]
    report(
        "features -> truth (regressor), perfect identity",
        person_of,
        learnt_truth(
            numeric(perfect), persons.loc[person_of, "p_purchase_holdout"].to_numpy(), person_of.to_numpy()
        ),
    )

    profiles = store.read_table("customer_profiles")
    majority = customer_persons(store.read_table("customer_records"), record_persons(truth_folder)).set_index(
        "customer_id"
    )["person_id"]
    profiles = profiles[profiles["customer_id"].astype(str).isin(majority.index)]
    person_of = profiles["customer_id"].astype(str).map(majority)
    report(
        "features -> truth (regressor), resolved customers, best per person",
        person_of,
        learnt_truth(
            numeric(profiles), persons.loc[person_of, "p_purchase_holdout"].to_numpy(), person_of.to_numpy()
        ),
    )


if __name__ == "__main__":
    main()
