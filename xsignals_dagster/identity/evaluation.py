"""Pairwise precision, recall and F1 of a clustering against the truth."""

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
