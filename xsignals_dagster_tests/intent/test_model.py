"""The classifier fits on whatever share of customers its calibration gives it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from xsignals_dagster.intent.model import IntentSettings, fit_boosting


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
