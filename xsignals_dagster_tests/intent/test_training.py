"""Training: out-of-time evaluation, calibration, baselines, ablation, gates and checks."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from xsignals_dagster.intent import (
    InsufficientData,
    IntentModel,
    IntentSettings,
    auc_check,
    calibration_table,
    train_intent_model,
)
from xsignals_dagster.intent.training import HELD_OUT_CUSTOMERS, OUT_OF_TIME
from xsignals_dagster_tests.intent.conftest import HORIZON_DAYS


def test_model_is_measured_on_the_newest_snapshot_and_served_from_a_refit_on_all(trained, world):
    training_set = world[0]
    dates = sorted(training_set["as_of"].unique())
    assert trained.evaluated_on == dates[-1]
    assert trained.evaluation == OUT_OF_TIME
    assert trained.trained_on == dates[:-1]
    assert trained.trained_rows == (training_set["as_of"] < dates[-1]).sum()
    assert trained.metrics["rows"] == (training_set["as_of"] == dates[-1]).sum()
    # the served fit: a superset, the evaluated snapshot's rows included
    assert trained.served_on == dates
    assert trained.served_rows == len(training_set)
    assert trained.fits() == {
        "evaluated_fit": (
            f"3 snapshots {dates[0]:%Y-%m-%d} … {dates[-2]:%Y-%m-%d}, {trained.trained_rows} rows; "
            f"evaluated on {dates[-1]:%Y-%m-%d}"
        ),
        "served_fit": (
            f"all 4 snapshots {dates[0]:%Y-%m-%d} … {dates[-1]:%Y-%m-%d}, {len(training_set)} rows, "
            "the evaluated one included"
        ),
    }
    assert trained.horizon_days == HORIZON_DAYS
    assert set(trained.categorical_columns) == {
        "behavioral_top_category_90d",
        "preference_preferred_channel",
        "contextual_device_type",
    }


def test_the_served_refit_follows_the_measured_recipe(trained, evaluation_rows):
    served = trained.pipeline
    assert served.named_steps["prepare"].kw_args["feature_columns"] == trained.feature_columns
    encoded = trained.encode(evaluation_rows[0].set_index("customer_id"))
    assert set(encoded.columns) == set(trained.feature_columns)
    calibrated = served[-1]
    assert calibrated.method == trained.settings.calibration_method
    boosting = calibrated.calibrated_classifiers_[0].estimator.named_steps["boost"]
    assert (boosting.max_leaf_nodes, boosting.learning_rate) == (
        trained.settings.max_leaf_nodes,
        trained.settings.learning_rate,
    )


def test_the_figures_are_the_fit_that_never_saw_the_evaluated_labels(world):
    """A column that is the answer on the evaluated snapshot and noise before it: the measured
    fit cannot learn it (its AUC stays where the other columns put it), the served refit does
    (it learnt that snapshot's labels, which have closed by the time it scores)."""
    training_set, purchases, _ = world
    newest = (training_set["as_of"] == training_set["as_of"].max()).to_numpy()
    noise = np.random.default_rng(3).integers(0, 2, len(training_set))
    leaky = training_set.assign(engagement_answer_7d=np.where(newest, training_set["purchased"], noise))
    model = train_intent_model(
        leaky, None, purchases, HORIZON_DAYS, IntentSettings(max_comparison_rows=2_000)
    )
    rows = leaky[newest]
    served_auc = roc_auc_score(rows["purchased"], model.predict(rows.set_index("customer_id")))
    assert "engagement_answer_7d" in model.feature_columns
    assert model.metrics["roc_auc"] < 0.9 < served_auc


def test_probabilities_are_calibrated_and_rank_nearly_as_well_as_the_truth(
    trained, evaluation_rows, unseen_rows
):
    rows, truth = evaluation_rows
    assert trained.metrics["brier"] < trained.metrics["brier_constant"]
    assert trained.metrics["roc_auc"] >= 0.9 * roc_auc_score(rows["purchased"], truth)
    # the served refit, on a snapshot after everything it saw
    rows, truth = unseen_rows
    predicted = trained.predict(rows.set_index("customer_id"))
    table = calibration_table(rows["purchased"], predicted)
    populated = table[table["count"] >= 100]
    assert len(populated) >= 5
    standard_error = np.sqrt(
        populated["mean_predicted"] * (1 - populated["mean_predicted"]) / populated["count"]
    )
    assert (
        (populated["observed_rate"] - populated["mean_predicted"]).abs() <= 0.02 + 3 * standard_error
    ).all()
    assert predicted.mean() == pytest.approx(rows["purchased"].mean(), abs=0.02)
    assert roc_auc_score(rows["purchased"], predicted) >= 0.9 * roc_auc_score(rows["purchased"], truth)


def test_reports_are_markdown_tables(trained):
    assert trained.calibration_table.startswith(
        "| predicted_range | mean_predicted | observed_rate | count |"
    )
    assert trained.lift_table.startswith(
        "| decile | count | buyers | purchase_rate | lift | cumulative_capture |"
    )
    assert len(trained.lift_table.splitlines()) == 2 + 10
    assert trained.ablation_table.startswith("| touchpoint | columns |")


def test_model_beats_every_baseline_on_the_same_split(trained):
    assert set(trained.baseline_metrics) == {"rfm_only", "web_only", "bg_nbd"}
    assert trained.baseline_metrics["rfm_only"]["features"] == 3
    assert trained.baseline_metrics["web_only"]["features"] == 1
    for name, metrics in trained.baseline_metrics.items():
        assert metrics["rows"] == trained.metrics["rows"], name
        assert trained.metrics["roc_auc"] > metrics["roc_auc"], name


def test_ablation_measures_each_touchpoint(trained):
    assert set(trained.ablation_auc_loss) == {
        "web",
        "app",
        "store",
        "pos/transactional",
        "email",
        "service",
        "preferences/journey",
    }
    # In the fixture the store (try-ons) and the web views carry much of the signal.
    assert trained.ablation_auc_loss["store"] > 0.01
    assert trained.ablation_auc_loss["web"] > 0.0


def test_model_round_trips_through_bytes(trained, evaluation_rows):
    rows, _ = evaluation_rows
    restored = IntentModel.from_bytes(trained.to_bytes())
    features = rows.set_index("customer_id")
    assert restored.version == trained.version
    np.testing.assert_array_equal(restored.predict(features), trained.predict(features))


def test_version_names_the_feature_list(trained, world):
    training_set, purchases, _ = world
    fewer = [c for c in trained.feature_columns if c != "contextual_device_type"]
    small = IntentSettings(max_comparison_rows=2_000)
    other = train_intent_model(training_set, fewer, purchases, HORIZON_DAYS, small)
    same = train_intent_model(training_set, fewer, purchases, HORIZON_DAYS, small)
    assert other.version.split("-")[-1] != trained.version.split("-")[-1]
    assert other.version.split("-")[-1] == same.version.split("-")[-1]


def _with_labels(world, positives_per_snapshot: dict[int, int]):
    """The world's training set with each snapshot's labels replaced: `n` buyers in snapshot k."""
    training_set = world[0].copy()
    training_set["purchased"] = 0
    dates = sorted(training_set["as_of"].unique())
    for k, positives in positives_per_snapshot.items():
        rows = training_set.index[training_set["as_of"] == dates[k]][:positives]
        training_set.loc[rows, "purchased"] = 1
    return training_set


def test_too_few_training_buyers_raise_with_the_counts(world):
    training_set = _with_labels(world, {0: 5, 1: 4, 2: 3, 3: 50})
    with pytest.raises(
        InsufficientData,
        match=(
            r"training \(3 snapshots\) has 12 purchasers and 17988 non-purchasers; "
            r"needs at least 20 and 20"
        ),
    ):
        train_intent_model(training_set, None, world[1], HORIZON_DAYS)


def test_too_few_evaluation_buyers_raise_with_the_counts(world):
    training_set = _with_labels(world, {0: 50, 1: 50, 2: 50, 3: 2})
    with pytest.raises(
        InsufficientData,
        match=r"evaluation snapshot \d{4}-\d\d-\d\d has 2 purchasers and 5998 non-purchasers",
    ):
        train_intent_model(training_set, None, world[1], HORIZON_DAYS)


def test_a_single_snapshot_trains_and_evaluates_on_separate_customers(world):
    training_set, purchases, truth = world
    first = (training_set["as_of"] == training_set["as_of"].min()).to_numpy()
    model = train_intent_model(training_set[first], None, purchases, HORIZON_DAYS)
    assert model.evaluation == HELD_OUT_CUSTOMERS
    assert model.evaluated_on == model.trained_on[0] == training_set["as_of"].min()
    # measured on a quarter of the customers, served from every customer of the snapshot
    assert model.served_on == model.trained_on and model.served_rows == first.sum()
    assert model.fits()["served_fit"].endswith(f"{first.sum()} rows, every customer")
    # a quarter of the customers held out, the rest trained on
    assert model.metrics["rows"] == pytest.approx(0.25 * first.sum(), rel=0.05)
    rows = training_set[first].reset_index(drop=True)
    held_out_auc = roc_auc_score(rows["purchased"], truth[first])
    assert model.metrics["roc_auc"] >= 0.85 * held_out_auc


def test_auc_check_fails_below_the_floor_and_on_a_drop():
    assert auc_check({"roc_auc": 0.80}, None, floor=0.70) == (True, "ROC-AUC 0.800 meets the floor 0.700")
    passed, message = auc_check({"roc_auc": 0.65}, {"roc_auc": 0.66}, floor=0.70)
    assert not passed and "below the floor 0.700" in message
    passed, message = auc_check({"roc_auc": 0.75}, {"roc_auc": 0.80}, floor=0.70)
    assert not passed and "dropped more than 0.020" in message and "0.800" in message
    passed, message = auc_check({"roc_auc": 0.79}, {"roc_auc": 0.80}, floor=0.70)
    assert passed and "(previous 0.800)" in message


def test_snapshots_whose_label_window_overlaps_the_evaluated_one_are_not_trained_on(world):
    training_set, purchases, _ = world
    dates = sorted(training_set["as_of"].unique())
    moved = training_set.copy()
    overlapping = dates[-1] - np.timedelta64(HORIZON_DAYS - 7, "D")
    moved.loc[moved["as_of"] == dates[-2], "as_of"] = overlapping
    model = train_intent_model(moved, None, purchases, HORIZON_DAYS)
    assert model.trained_on == dates[:-2]
    assert overlapping not in model.trained_on


def test_columns_without_two_values_in_the_training_rows_are_left_out(world):
    training_set, purchases, _ = world
    dates = sorted(training_set["as_of"].unique())
    sparse = training_set.assign(
        behavioral_web_visits_7d=np.where(training_set["as_of"] == dates[-1], 1.0, np.nan),
        engagement_constant_7d=3.0,
    )
    model = train_intent_model(sparse, None, purchases, HORIZON_DAYS)
    assert (
        "behavioral_web_visits_7d" not in model.feature_columns
        and "engagement_constant_7d" not in model.feature_columns
    )
    assert model.metrics["roc_auc"] > 0.6
