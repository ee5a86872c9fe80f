"""The classifier: calibration folds of customers, and fits on whatever share of customers a fold gives it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from xsignals_dagster.intent.model import CustomerFolds, IntentSettings, fit_boosting


def test_a_column_without_any_value_in_the_rows_fitted_on_is_no_error():
    # the calibration fits on a share of the customers, where a rare column can be all missing
    # (scikit-learn 1.9's binning then failed: seen on a generated 1,000 x 30 zone)
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, 400)
    encoded = pd.DataFrame(
        {
            "informative": labels + rng.normal(0, 0.5, 400),
            "rare": np.nan,
            "rare_category": np.nan,
        },
        index=pd.Index([f"c{i}" for i in range(400)], name="customer_id"),
    )
    for calibrated in (False, True):
        classify = fit_boosting(encoded, labels, ["rare_category"], IntentSettings(), calibrated=calibrated)
        scores = classify.predict_proba(encoded.assign(rare=1.0, rare_category=2.0))[:, 1]
        assert np.corrcoef(scores, labels)[0, 1] > 0.5


def test_calibration_folds_keep_a_customers_snapshots_together_and_hold_each_out_once():
    customers = [f"c{i}" for i in range(40)]
    snapshots = pd.DataFrame({"x": range(120)}, index=pd.Index(customers * 3, name="customer_id"))
    folds = list(CustomerFolds(4, random_state=0).split(snapshots))
    assert len(folds) == 4
    held_out_customers = []
    for learnt, held_out in folds:
        learnt_from, calibrated_on = set(snapshots.index[learnt]), set(snapshots.index[held_out])
        assert not learnt_from & calibrated_on and learnt_from | calibrated_on == set(customers)
        assert len(calibrated_on) == 10  # a quarter of the customers, all three snapshots of each
        assert len(held_out) == 30
        held_out_customers += sorted(calibrated_on)
    assert sorted(held_out_customers) == sorted(customers)


def test_the_calibrated_classifier_averages_one_booster_per_fold():
    rng = np.random.default_rng(5)
    labels = rng.integers(0, 2, 800)
    encoded = pd.DataFrame(
        {"signal": labels + rng.normal(0, 1.0, 800)},
        index=pd.Index([f"c{i % 400}" for i in range(800)], name="customer_id"),
    )
    settings = IntentSettings()
    classify = fit_boosting(encoded, labels, [], settings)
    assert len(classify.calibrated_classifiers_) == settings.calibration_folds
    each = np.column_stack([c.predict_proba(encoded)[:, 1] for c in classify.calibrated_classifiers_])
    np.testing.assert_allclose(classify.predict_proba(encoded)[:, 1], each.mean(axis=1))
