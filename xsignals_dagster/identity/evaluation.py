"""A clustering against the truth: pairwise precision, recall and F1; customer-id stability across runs."""

from __future__ import annotations

import pandas as pd


def pairwise_scores(predicted: pd.Series, truth: pd.Series) -> dict[str, float]:
    """Score record pairs put in one cluster against pairs that are one person.

    predicted: record -> cluster; truth: record -> person (both indexed by
    record; records missing from either side, or NA, count as singletons).
    Pairs are counted from cluster sizes (n * (n - 1) / 2), never enumerated.
    """
    frame = pd.DataFrame({"predicted": predicted, "truth": truth})
    singletons = "\0" + frame.index.astype(str)  # a label of its own for each unassigned record
    frame["predicted"] = frame["predicted"].astype(object).where(frame["predicted"].notna(), singletons)
    frame["truth"] = frame["truth"].astype(object).where(frame["truth"].notna(), singletons)

    def pairs(*columns: str) -> int:
        sizes = frame.groupby(list(columns), sort=False).size().to_numpy(dtype="int64")
        return int((sizes * (sizes - 1) // 2).sum())

    together, predicted_pairs, true_pairs = pairs("predicted", "truth"), pairs("predicted"), pairs("truth")
    precision = together / predicted_pairs if predicted_pairs else 1.0
    recall = together / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def id_stability(before: pd.DataFrame, after: pd.DataFrame, truth: pd.Series) -> dict[str, float]:
    """How the customers of one run fared in the next, against the truth.

    before / after: record_customers (source, record_key, customer_id) of two runs, the second with
    more data landed; truth: "source/record_key" -> person. Each earlier customer is unchanged (every
    record of it still loaded keeps its id), a true merge (they all moved to one other earlier
    customer of the same person, by the majority of records), erased (none of its records is still
    loaded) or changed (anything else: a false merge, a split, a record left without a customer).
    """

    def by_key(rows: pd.DataFrame) -> pd.Series:
        return pd.Series(
            rows["customer_id"].to_numpy(),
            index=(rows["source"].astype(str) + "/" + rows["record_key"].astype(str)).to_numpy(),
        )

    old, new = by_key(before).dropna(), by_key(after)
    still_loaded = old.index.isin(new.index)
    kept = old.index[still_loaded]
    frame = pd.DataFrame(
        {
            "old": old.to_numpy()[still_loaded],
            "new": new.reindex(kept).astype(object).where(new.reindex(kept).notna(), None).to_numpy(),
            "person": truth.reindex(kept).to_numpy(),
        }
    )
    person_of = (
        frame.dropna(subset=["person"])
        .groupby("old")["person"]
        .agg(lambda people: people.value_counts().index[0])
    )
    new_ids = frame.groupby("old")["new"].agg(frozenset)
    unchanged = merged = changed = 0
    for customer, ids in new_ids.items():
        if ids == {customer}:
            unchanged += 1
            continue
        target = next(iter(ids))
        if (
            len(ids) == 1
            and customer in person_of.index
            and target in person_of.index
            and person_of[customer] == person_of[target]
        ):
            merged += 1
        else:
            changed += 1
    total = old.nunique()
    return {
        "customers": total,
        "unchanged": unchanged,
        "true_merges": merged,
        "erased": total - len(new_ids),
        "changed": changed,
        "changed_share": changed / total if total else 0.0,
    }
