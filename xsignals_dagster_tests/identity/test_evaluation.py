"""pairwise_scores counts record pairs from cluster sizes."""

from __future__ import annotations

import pandas as pd
import pytest

from xsignals_dagster.identity import pairwise_scores


def test_pairwise_scores_count_pairs_per_cluster():
    truth = pd.Series({"a": "p1", "b": "p1", "c": "p1", "d": "p2", "e": "p2"})
    predicted = pd.Series({"a": 1, "b": 1, "c": 2, "d": 2, "e": 3})
    # predicted pairs: a-b, c-d; true pairs: a-b, a-c, b-c, d-e; together: a-b
    assert pairwise_scores(predicted, truth) == pytest.approx(
        {"precision": 1 / 2, "recall": 1 / 4, "f1": 1 / 3}
    )


def test_unassigned_records_are_singletons_and_perfect_is_one():
    truth = pd.Series({"a": "p1", "b": "p1", "c": "p2"})
    assert pairwise_scores(pd.Series({"a": None, "b": None, "c": None}), truth) == {
        "precision": 1.0,
        "recall": 0.0,
        "f1": 0.0,
    }
    assert pairwise_scores(pd.Series({"a": "x", "b": "x", "c": "y"}), truth) == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
    }
