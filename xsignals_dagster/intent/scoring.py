"""Score every customer: calibrated purchase probability, its rank, a bucket and the reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from xsignals_dagster.intent.explain import occlusion_effects, top_factors
from xsignals_dagster.intent.features import AS_OF, CUSTOMER_ID, with_customer_column
from xsignals_dagster.intent.labels import utc_day
from xsignals_dagster.intent.model import IntentModel

# Bucket cut-offs on the percentile among all customers scored: a purchase within two weeks
# is rare (a few percent), so an absolute cut such as 0.5 would leave the high bucket empty;
# the top decile is the audience a marketer can act on, the next two deciles are warm.
HIGH_INTENT = 90.0
MEDIUM_INTENT = 70.0
SCORE_TABLE_COLUMNS = [
    CUSTOMER_ID,
    AS_OF,
    "horizon_days",
    "intent_score",
    "percentile",
    "bucket",
    "top_factors",
]


def intent_bucket(percentiles: pd.Series) -> pd.Series:
    """`high` from the HIGH_INTENT percentile, `medium` from MEDIUM_INTENT, else `low`."""
    return pd.Series(
        np.select([percentiles >= HIGH_INTENT, percentiles >= MEDIUM_INTENT], ["high", "medium"], "low"),
        index=percentiles.index,
    )


def score_customers(
    model: IntentModel, features: pd.DataFrame, as_of, horizon_days: int | None = None
) -> pd.DataFrame:
    """One row per customer of `features` (indexed by or holding `customer_id`, as known at
    `as_of`): `customer_id, as_of, horizon_days, intent_score` (calibrated P(purchase on days
    as_of+1 … as_of+horizon_days)), `percentile` (0–100, share of customers scoring at most
    as high), `bucket` (low/medium/high by percentile) and `top_factors` (the strongest reasons, "; "-joined,
    each marked (+) raising or (−) lowering the score)."""
    if horizon_days is not None and horizon_days != model.horizon_days:
        raise ValueError(f"the model predicts a {model.horizon_days}-day horizon, not {horizon_days} days")
    customers = with_customer_column(features).set_index(CUSTOMER_ID)
    if customers.empty:
        # Profiles can still be empty when a model exists: under automation the training set
        # is built from staged rows while the profile waits for identity. Nobody to score.
        return pd.DataFrame(columns=SCORE_TABLE_COLUMNS)
    with threadpool_limits(limits=model.settings.scoring_threads, user_api="openmp"):
        encoded = model.encode(customers)
        scores = pd.Series(model.predict_encoded(encoded), index=customers.index)
        effects = occlusion_effects(
            model.predict_encoded, encoded, scores.to_numpy(), model.explained_columns, model.reference_values
        )
    percentiles = (scores.rank(pct=True) * 100).round(1)
    return pd.DataFrame(
        {
            CUSTOMER_ID: customers.index,
            AS_OF: utc_day(as_of),
            "horizon_days": model.horizon_days,
            "intent_score": scores.to_numpy(),
            "percentile": percentiles.to_numpy(),
            "bucket": intent_bucket(percentiles).to_numpy(),
            "top_factors": top_factors(effects, customers, model.settings.top_factor_count).to_numpy(),
        }
    )
