"""How good a purchase probability is: ranking (ROC-AUC, PR-AUC), accuracy of the
probability itself (Brier score, calibration table) and what targeting the top buys (lift).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

CALIBRATION_BINS = 10
LIFT_GROUPS = 10
# A new model may lose this much AUC against the previous version before the check fails.
DEFAULT_AUC_DROP_TOLERANCE = 0.02


def score_metrics(labels: np.ndarray, scores: np.ndarray, reference_rate: float) -> dict[str, float]:
    """ROC-AUC, PR-AUC and Brier score, next to the Brier score of always predicting
    `reference_rate` (the training base rate): a useful probability beats that constant."""
    labels, scores = np.asarray(labels), np.asarray(scores, dtype=float)
    return {
        "roc_auc": float(roc_auc_score(labels, scores)),
        "pr_auc": float(average_precision_score(labels, scores)),
        "brier": float(brier_score_loss(labels, scores)),
        "brier_constant": float(brier_score_loss(labels, np.full(len(labels), reference_rate))),
        "base_rate": float(labels.mean()),
        "rows": float(len(labels)),
        "positives": float(labels.sum()),
    }


def calibration_table(labels: np.ndarray, scores: np.ndarray, bins: int = CALIBRATION_BINS) -> pd.DataFrame:
    """Per equal-width bin of predicted probability: mean predicted, observed purchase rate,
    and how many customers fell in it (empty bins left out)."""
    frame = pd.DataFrame({"label": np.asarray(labels), "score": np.asarray(scores, dtype=float)})
    edges = np.linspace(0.0, 1.0, bins + 1)
    frame["bin"] = np.clip(np.digitize(frame["score"], edges[1:-1]), 0, bins - 1)
    table = frame.groupby("bin").agg(
        mean_predicted=("score", "mean"), observed_rate=("label", "mean"), count=("label", "size")
    )
    table.insert(0, "predicted_range", [f"{edges[b]:.1f}–{edges[b + 1]:.1f}" for b in table.index])
    return table.reset_index(drop=True)


def lift_table(labels: np.ndarray, scores: np.ndarray, groups: int = LIFT_GROUPS) -> pd.DataFrame:
    """Customers ranked by score in `groups` equal groups (1 = highest): purchase rate, lift
    over the overall rate, and the share of all buyers captured from the top down."""
    frame = pd.DataFrame({"label": np.asarray(labels), "score": np.asarray(scores, dtype=float)})
    ranks = frame["score"].rank(method="first", ascending=False)
    frame["decile"] = pd.qcut(ranks, groups, labels=False) + 1
    table = frame.groupby("decile").agg(
        count=("label", "size"), buyers=("label", "sum"), purchase_rate=("label", "mean")
    )
    overall = frame["label"].mean()
    table["lift"] = table["purchase_rate"] / overall if overall else np.nan
    table["cumulative_capture"] = table["buyers"].cumsum() / max(frame["label"].sum(), 1)
    return table.reset_index()


def markdown_table(frame: pd.DataFrame, digits: int = 3) -> str:
    """A frame as a Markdown table (what Dagster metadata and reports show)."""

    def cell(value) -> str:
        if isinstance(value, float | np.floating):
            return "" if np.isnan(value) else f"{value:.{digits}f}"
        return str(value)

    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def auc_check(
    current_metrics: dict[str, float],
    previous_metrics: dict[str, float] | None,
    floor: float,
    tolerance: float = DEFAULT_AUC_DROP_TOLERANCE,
) -> tuple[bool, str]:
    """Whether a new model may serve: its evaluation AUC (out of time, or on held-out
    customers) is at least `floor` and at most `tolerance` below the previous version's (when
    there is one)."""
    auc = current_metrics["roc_auc"]
    if auc < floor:
        return False, f"ROC-AUC {auc:.3f} is below the floor {floor:.3f}"
    if previous_metrics is not None and auc < previous_metrics["roc_auc"] - tolerance:
        return False, (
            f"ROC-AUC {auc:.3f} dropped more than {tolerance:.3f} "
            f"against the previous model's {previous_metrics['roc_auc']:.3f}"
        )
    previous = "" if previous_metrics is None else f" (previous {previous_metrics['roc_auc']:.3f})"
    return True, f"ROC-AUC {auc:.3f} meets the floor {floor:.3f}{previous}"
