"""Train the intent model and prove it: out-of-time metrics, baselines on the same split,
and what each touchpoint adds (ablation); then refit the same recipe on every snapshot to serve.

The newest snapshot of the training set is held out; every model measured here (main,
baselines, ablation) trains on the older snapshots whose label window had closed by then and
is measured on that one, as it would be used: scoring customers at a later date than anything
it saw, including the purchases it learnt from. Once measured, the same recipe (features,
hyper-parameters, calibration on folds of customers) is fitted again on every snapshot, the
evaluated one included, and that refit is what scores (backtest, then refit): the newest
label window has closed by the time the model serves, so learning it is no leak, and it is
the period nearest the customers scored. Every figure kept with the model is the measured
fit's, which never saw the evaluated snapshot's labels. Where there are purchase histories,
both fits are stacked with Pareto/NBD by weights learnt on the evaluation snapshot
(`stacking.py`), and the figures are the stack's, cross-validated on that snapshot.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from xsignals_dagster.intent.baselines import BG_NBD, FEATURE_SUBSET_BASELINES, bg_nbd_scores
from xsignals_dagster.intent.evaluation import calibration_table, lift_table, markdown_table, score_metrics
from xsignals_dagster.intent.explain import most_influential, occlusion_effects, typical_values
from xsignals_dagster.intent.features import (
    AS_OF,
    CUSTOMER_ID,
    LABEL,
    TOUCHPOINT_PATTERNS,
    categorical_columns_of,
    columns_matching,
    feature_columns_of,
)
from xsignals_dagster.intent.model import (
    HELD_OUT_CUSTOMERS,
    OUT_OF_TIME,
    SUPERVISED,
    CustomerFolds,
    IntentModel,
    IntentSettings,
    fit_boosting,
    fit_encoding,
    model_version,
    predict_probability,
)
from xsignals_dagster.intent.stacking import Stacking, fit_stacking

# Rows of the evaluation snapshot used to rank features for explanations.
EXPLANATION_SAMPLE_ROWS = 1_000


class InsufficientData(ValueError):
    """Too few buyers or non-buyers to train or to judge a model: no model rather than a
    meaningless one."""


def _check_counts(labels: pd.Series, where: str, min_positives: int, min_negatives: int) -> None:
    positives, negatives = int(labels.sum()), int((labels == 0).sum())
    if positives < min_positives or negatives < min_negatives:
        raise InsufficientData(
            f"{where} has {positives} purchasers and {negatives} non-purchasers; "
            f"needs at least {min_positives} and {min_negatives}"
        )


def split_training_set(
    training_set: pd.DataFrame, horizon_days: int, settings: IntentSettings
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The rows to train on, the rows to evaluate on, and how they were split; both sides pass
    the data gates (else `InsufficientData`).

    Out of time where the history allows: evaluated on the newest snapshot, trained on the
    older ones whose label window closed by its date (an overlapping window would let the
    model learn purchases it is then judged on). A history shorter than two horizons has no
    such older snapshot (`labels.snapshot_dates`): then a seeded share of customers is held
    out of every snapshot and the model is evaluated on their newest one. That measures how
    the model carries over to other customers, not to a later date, and says so.
    """
    dates = sorted(pd.Timestamp(d) for d in training_set[AS_OF].unique())
    if not dates:
        raise InsufficientData("no snapshot: the history is shorter than the label window plus a week")
    newest = dates[-1]
    as_of = pd.to_datetime(training_set[AS_OF])
    closed = [d for d in dates[:-1] if d + pd.Timedelta(days=horizon_days) <= newest]
    if closed:
        how = OUT_OF_TIME
        training, evaluation = (
            training_set[as_of.isin(closed).to_numpy()],
            training_set[(as_of == newest).to_numpy()],
        )
        described = f"training ({len(closed)} snapshots)"
    else:
        how = HELD_OUT_CUSTOMERS
        # One fold of customers (a quarter by default), as the calibration folds are drawn.
        folds = CustomerFolds(settings.calibration_folds, settings.random_state)
        trained, held_out = next(folds.split(training_set.set_index(CUSTOMER_ID)))
        training = training_set.iloc[trained]
        evaluation = training_set.iloc[held_out][(as_of.iloc[held_out] == newest).to_numpy()]
        described = f"training ({len(dates)} snapshots, customers not held out)"
    _check_counts(
        training[LABEL], described, settings.min_training_positives, settings.min_training_negatives
    )
    _check_counts(
        evaluation[LABEL],
        f"evaluation snapshot {newest:%Y-%m-%d}" + ("" if closed else " (held-out customers)"),
        settings.min_evaluation_positives,
        settings.min_evaluation_negatives,
    )
    return training, evaluation, how


def check_trainable(
    training_set: pd.DataFrame, horizon_days: int, settings: IntentSettings | None = None
) -> None:
    """The data gates alone, for a training set's quality check: raises `InsufficientData`."""
    split_training_set(training_set, horizon_days, settings or IntentSettings())


def _positions(rows: int, max_rows: int, seed: int) -> np.ndarray:
    """Row positions of a seeded sample of at most `max_rows` of `rows`, in order."""
    if rows <= max_rows:
        return np.arange(rows)
    return np.sort(np.random.default_rng(seed).choice(rows, max_rows, replace=False))


def _by_customer(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index(CUSTOMER_ID)


def _baseline_metrics(
    training: pd.DataFrame,
    evaluation: pd.DataFrame,
    encoded: tuple[pd.DataFrame, pd.DataFrame],
    categorical_columns: list[str],
    purchases: pd.DataFrame,
    horizon_days: int,
    settings: IntentSettings,
) -> dict[str, dict[str, float]]:
    """Metrics of each baseline on the model's split, trained on the same rows (`encoded`: the
    model's input of the training and evaluation rows) as the model; a subset baseline whose
    columns do not exist reports `features: 0` only."""
    encoded_training, encoded_evaluation = encoded
    labels = training[LABEL].to_numpy()
    reference_rate = float(labels.mean())
    results = {}
    for name, pattern in FEATURE_SUBSET_BASELINES.items():
        columns = columns_matching(encoded_training.columns, pattern)
        if not columns:
            results[name] = {"features": 0.0}
            continue
        classifier = fit_boosting(encoded_training[columns], labels, categorical_columns, settings)
        scores = predict_probability(classifier, encoded_evaluation[columns])
        results[name] = {
            "features": float(len(columns)),
            **score_metrics(evaluation[LABEL], scores, reference_rate),
        }
    scores = bg_nbd_scores(purchases, training, evaluation, horizon_days)
    results[BG_NBD] = score_metrics(evaluation[LABEL], scores, reference_rate)
    return results


def _ablation(
    training: pd.DataFrame,
    evaluation: pd.DataFrame,
    encoded: tuple[pd.DataFrame, pd.DataFrame],
    categorical_columns: list[str],
    settings: IntentSettings,
) -> pd.DataFrame:
    """Out-of-time AUC lost when one touchpoint's columns are dropped and the model re-fit.

    Uncalibrated fits on a sample of the training rows, judged on a sample of the evaluation
    rows, against a reference fit on the same samples with every column: the loss compares
    like with like, and calibration does not change a ranking."""
    encoded_training, encoded_evaluation = encoded
    feature_columns = list(encoded_training.columns)
    sample = _positions(len(training), settings.max_comparison_rows, settings.random_state)
    judged = _positions(len(evaluation), settings.max_comparison_rows, settings.random_state)
    labels, outcomes = training[LABEL].to_numpy()[sample], evaluation[LABEL].to_numpy()[judged]

    def auc_with(columns: list[str]) -> float:
        classifier = fit_boosting(
            encoded_training[columns].iloc[sample], labels, categorical_columns, settings, calibrated=False
        )
        return float(
            roc_auc_score(outcomes, predict_probability(classifier, encoded_evaluation[columns].iloc[judged]))
        )

    reference_auc = auc_with(feature_columns)
    rows = []
    for touchpoint, pattern in TOUCHPOINT_PATTERNS.items():
        dropped = set(columns_matching(feature_columns, pattern))
        kept = [c for c in feature_columns if c not in dropped]
        auc_without = auc_with(kept) if dropped and kept else np.nan
        rows.append(
            {
                "touchpoint": touchpoint,
                "columns": len(dropped),
                "auc_all": reference_auc,
                "auc_without": auc_without,
                "auc_loss": reference_auc - auc_without,
            }
        )
    return pd.DataFrame(rows)


def _explanation_basis(
    classify,
    encoded: tuple[pd.DataFrame, pd.DataFrame],
    categorical_columns: list[str],
    settings: IntentSettings,
) -> tuple[list[str], dict[str, float]]:
    """The typical (encoded) value of every feature over (a sample of) the training rows, and
    the features whose occlusion moves a sample of evaluation scores most: the ones
    explanations try."""
    encoded_training, encoded_evaluation = encoded
    typical_rows = _positions(len(encoded_training), settings.max_comparison_rows, settings.random_state)
    reference_values = typical_values(encoded_training.iloc[typical_rows], categorical_columns)
    sample = encoded_evaluation.iloc[
        _positions(len(encoded_evaluation), EXPLANATION_SAMPLE_ROWS, settings.random_state)
    ]

    def predict(frame: pd.DataFrame) -> np.ndarray:
        return predict_probability(classify, frame)

    effects = occlusion_effects(predict, sample, predict(sample), list(sample.columns), reference_values)
    return most_influential(effects, settings.explained_feature_count), reference_values


def _refit(
    training_set: pd.DataFrame,
    feature_columns: list[str],
    categorical_columns: list[str],
    settings: IntentSettings,
    stacking: Stacking | None,
) -> tuple[pd.DataFrame, pd.DataFrame, Pipeline]:
    """The rows served from, their encoding, and the pipeline fitted on them: the measured
    recipe (same columns, settings and calibration on folds of customers, so the
    refit is calibrated as the measured fit was; the same stack with Pareto/NBD) on every
    row of `training_set`, up to the same cap."""
    served = training_set.iloc[
        _positions(len(training_set), settings.max_training_rows, settings.random_state)
    ]
    encoding, encoded = fit_encoding(_by_customer(served), feature_columns, categorical_columns)
    classify = fit_boosting(encoded, served[LABEL].to_numpy(), categorical_columns, settings)
    if stacking is not None:
        classify = stacking.around(classify)
    return served, encoded, Pipeline([*encoding.steps, ("classify", classify)])


def train_intent_model(
    training_set: pd.DataFrame,
    feature_columns: list[str] | None,
    purchases: pd.DataFrame,
    horizon_days: int,
    settings: IntentSettings | None = None,
) -> IntentModel:
    """Train on every snapshot but the newest, measure on the newest (out of time), compare
    with the baselines and measure each touchpoint's contribution; then refit the same recipe
    on every snapshot (held-out customers included where they were split by customer) and
    serve that refit (module docstring).

    `training_set` comes from `build_training_set`; `feature_columns` default to all its
    non-key, non-timestamp columns; `purchases` (from `purchases_from_frames`) feed the
    BG/NBD baseline. Raises `InsufficientData` (with the counts) when either side of the
    split has too few buyers or non-buyers.
    """
    settings = settings or IntentSettings()
    with threadpool_limits(limits=settings.threads, user_api="openmp"):
        return _train(training_set, feature_columns, purchases, horizon_days, settings)


def _train(
    training_set: pd.DataFrame,
    feature_columns: list[str] | None,
    purchases: pd.DataFrame,
    horizon_days: int,
    settings: IntentSettings,
) -> IntentModel:
    feature_columns = (
        list(feature_columns) if feature_columns is not None else feature_columns_of(training_set)
    )
    training, evaluation, evaluated_how = split_training_set(training_set, horizon_days, settings)
    # A column with fewer than two values among the training rows says nothing, and one
    # with none at all breaks the boosting's binning.
    feature_columns = [c for c in feature_columns if training[c].nunique() >= 2]
    categorical_columns = categorical_columns_of(training_set, feature_columns)
    trained_on = [pd.Timestamp(d) for d in sorted(training[AS_OF].unique())]
    training = training.iloc[_positions(len(training), settings.max_training_rows, settings.random_state)]

    labels = training[LABEL].to_numpy()
    encoding, encoded_training = fit_encoding(_by_customer(training), feature_columns, categorical_columns)
    encoded = (encoded_training, encoding.transform(_by_customer(evaluation)))
    classify = fit_boosting(encoded_training, labels, categorical_columns, settings)
    outcomes = evaluation[LABEL].to_numpy()
    booster_scores = predict_probability(classify, encoded[1])
    stacking = fit_stacking(encoded[1], outcomes, booster_scores, horizon_days, settings.random_state)
    scores = booster_scores if stacking is None else stacking.evaluation_scores
    baseline_metrics = _baseline_metrics(
        training, evaluation, encoded, categorical_columns, purchases, horizon_days, settings
    )
    ablation = _ablation(training, evaluation, encoded, categorical_columns, settings)
    served, encoded_served, pipeline = _refit(
        training_set, feature_columns, categorical_columns, settings, stacking
    )
    explained_columns, reference_values = _explanation_basis(
        pipeline[-1],
        (encoded_served, pipeline[:-1].transform(_by_customer(evaluation))),
        categorical_columns,
        settings,
    )

    return IntentModel(
        version=model_version(SUPERVISED, feature_columns, settings),
        kind=SUPERVISED,
        evaluation=evaluated_how,
        horizon_days=horizon_days,
        feature_columns=feature_columns,
        categorical_columns=categorical_columns,
        trained_on=trained_on,
        trained_rows=len(training),
        evaluated_on=pd.Timestamp(evaluation[AS_OF].iloc[0]),
        metrics={
            **score_metrics(outcomes, scores, float(labels.mean())),
            "booster_roc_auc": float(roc_auc_score(outcomes, booster_scores)),
            "stacked_with_pareto_nbd": float(stacking is not None),
        },
        calibration_table=markdown_table(calibration_table(outcomes, scores)),
        lift_table=markdown_table(lift_table(outcomes, scores)),
        baseline_metrics=baseline_metrics,
        ablation_table=markdown_table(ablation),
        ablation_auc_loss=dict(zip(ablation["touchpoint"], ablation["auc_loss"].astype(float), strict=True)),
        explained_columns=explained_columns,
        reference_values=reference_values,
        settings=settings,
        pipeline=pipeline,
        served_on=[pd.Timestamp(d) for d in sorted(served[AS_OF].unique())],
        served_rows=len(served),
    )
