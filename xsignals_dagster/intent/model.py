"""The intent classifier (gradient boosting in a calibrator) and the `IntentModel` that
carries it with everything needed to judge and explain it.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OrdinalEncoder

from xsignals_dagster.intent.baselines import BgNbdFeatures
from xsignals_dagster.intent.features import model_input

# What scores (IntentModel.kind): the model trained on labels, or a label-free stand-in.
SUPERVISED = "supervised"
BG_NBD_MODEL = "bg-nbd"
ENGAGEMENT_RECENCY = "engagement-recency"
# How a supervised model was evaluated (IntentModel.evaluation; `training.split_training_set`).
OUT_OF_TIME = "out of time"
HELD_OUT_CUSTOMERS = "held-out customers"

# HistGradientBoosting bins a category per value; rarer ones beyond this share one code.
MAX_CATEGORIES = 250


@dataclass(frozen=True)
class IntentSettings:
    """Knobs of training, with defaults sized for ~100,000 customers on 2 cores in minutes."""

    # Data gates: below these counts there is no model, only an `InsufficientData` error.
    min_training_positives: int = 20
    min_training_negatives: int = 20
    min_evaluation_positives: int = 5
    min_evaluation_negatives: int = 5
    # Cost caps (rows beyond are sampled with a fixed seed): the served model and baselines,
    # and the ablation re-fits and typical values, which need less data than serving.
    max_training_rows: int = 200_000
    # Today's customers whose history builds the training set (a seeded sample beyond): the
    # snapshots' signals cost time in proportion to the records they cover.
    max_training_customers: int = 40_000
    max_comparison_rows: int = 30_000
    # Gradient boosting (early stopping on a validation split ends most fits sooner). Small,
    # well-filled trees: purchases in a short window are noisy labels, and deeper trees learnt
    # the training customers rather than what carries over to later dates (holdout AUC
    # 0.612 -> 0.627 on the generated 10k x 60 zone). A leaf holds at least
    # `min_leaf_share` of the rows, and never fewer than `min_samples_leaf`.
    max_iter: int = 100
    max_leaf_nodes: int = 7
    min_samples_leaf: int = 40
    min_leaf_share: float = 0.005
    learning_rate: float = 0.1
    l2_regularization: float = 1.0
    # Calibration on folds of customers (a customer's snapshots are never on both sides): each of
    # `calibration_folds` boosters learns from the other folds and is calibrated on its own, and the served
    # probability is their mean. One hold-out of a quarter of the customers left the ranking to the draw of
    # that quarter: on CDNOW (91 days after 1997-12-31) the seed alone moved the served ROC-AUC over 0.8045
    # ... 0.8067; four folds (the same quarter calibrates each booster) gave 0.8060 ... 0.8062, every customer
    # learnt from. The price is four boosters to fit and to predict: at 100,000 generated persons training +
    # scoring took 332 s instead of 228 s (benchmarks/intent.py). Sigmoid (Platt) by default: the boosting's
    # log-loss scores need only a gentle correction, and isotonic steps overfit the sparse high-score end of
    # small calibration sets.
    calibration_method: str = "sigmoid"
    calibration_folds: int = 4
    # Explanations: the features tried per customer (by global importance), how many shown.
    explained_feature_count: int = 10
    top_factor_count: int = 3
    random_state: int = 0
    # OpenMP threads for boosting. One by default: when other assets of a run share the cores,
    # OpenMP barriers wait on descheduled threads and a fit can run ten times slower.
    threads: int = 1
    # Threads for scoring (None: every core). A prediction meets one barrier per tree, not
    # the thousands of a fit, so sharing the cores costs it little.
    scoring_threads: int | None = None


class CustomerFolds:
    """Seeded K folds of the customers of a frame indexed by `customer_id`: a customer's rows
    (one per snapshot) fall in one fold. scikit-learn's `GroupKFold(shuffle=True)` does the
    same but took 94 s to split 117,840 rows of 23,568 customers; this takes milliseconds."""

    def __init__(self, n_splits: int, random_state: int):
        self.n_splits = n_splits
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        return self.n_splits

    def split(self, X, y=None, groups=None):
        codes, customers = pd.factorize(np.asarray(X.index))
        folds = KFold(self.n_splits, shuffle=True, random_state=self.random_state)
        for learnt, held_out in folds.split(customers):
            yield np.flatnonzero(np.isin(codes, learnt)), np.flatnonzero(np.isin(codes, held_out))


def fit_boosting(
    encoded: pd.DataFrame,
    labels: np.ndarray,
    categorical_columns: list[str],
    settings: IntentSettings,
    calibrated: bool = True,
):
    """Gradient boosting (native categorical splits on the code columns, NaN as missing) on
    a numeric frame from an encoder, indexed by `customer_id`, with BG/NBD's reading of the
    purchase history added (`BgNbdFeatures`); calibrated on folds of customers (one booster
    per fold, averaged: `IntentSettings.calibration_folds`) unless `calibrated` is False
    (comparisons of ranking only, which calibration would not change). The BG/NBD columns are
    made inside the classifier, from the encoded columns, so an explanation that occludes
    recency or frequency moves them too."""
    categorical = [c for c in categorical_columns if c in encoded.columns]
    boosting = HistGradientBoostingClassifier(
        max_iter=settings.max_iter,
        max_leaf_nodes=settings.max_leaf_nodes,
        min_samples_leaf=max(settings.min_samples_leaf, int(settings.min_leaf_share * len(encoded))),
        learning_rate=settings.learning_rate,
        l2_regularization=settings.l2_regularization,
        categorical_features=categorical or None,
        random_state=settings.random_state,
    )
    estimator = Pipeline(
        [("bg_nbd", BgNbdFeatures()), ("fill_empty", EmptyColumnsFilled()), ("boost", boosting)]
    )
    if calibrated:
        folds = CustomerFolds(settings.calibration_folds, settings.random_state)
        estimator = CalibratedClassifierCV(estimator, method=settings.calibration_method, cv=folds)
    return estimator.fit(encoded, labels)


class EmptyColumnsFilled(TransformerMixin, BaseEstimator):
    """Fill the columns that had no value at all in the rows fitted on with a constant.

    The training columns are chosen for having two values among all training rows, but the
    calibration fits the booster on a share of the customers only, and a rare column can be
    empty there. scikit-learn 1.9's histogram binning fails on a column without any value
    (`window shape cannot be larger than input array shape`, seen at 1,000 persons x 30 days),
    while it bins a constant one into a single bin the trees never split on: so such a column
    becomes constant, at fit and at prediction alike, and says nothing, as it said nothing.
    """

    def fit(self, X: pd.DataFrame, y=None):
        self.empty_columns_ = [c for c in X.columns if X[c].isna().all()]
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        return X.assign(**dict.fromkeys(self.empty_columns_, 0.0)) if self.empty_columns_ else X


def fit_encoding(
    features: pd.DataFrame, feature_columns: list[str], categorical_columns: list[str]
) -> tuple[Pipeline, pd.DataFrame]:
    """Fit model input -> categories as ordinal codes on `features` (indexed by
    `customer_id`); the fitted steps and the encoded frame.

    The encoder is fit once, before and outside the classifier (`fit_boosting`), so every
    step after it works on one numeric frame: explanations perturb that frame, and the
    baselines and the ablation fit on column subsets of it.
    """
    categorical = [c for c in categorical_columns if c in feature_columns]
    numeric = [c for c in feature_columns if c not in categorical]
    prepare = FunctionTransformer(
        model_input, kw_args={"feature_columns": feature_columns, "categorical_columns": categorical}
    )
    encoder = OrdinalEncoder(
        handle_unknown="use_encoded_value",
        unknown_value=np.nan,
        encoded_missing_value=np.nan,
        max_categories=MAX_CATEGORIES,
    )
    encode = ColumnTransformer(
        [("categories", encoder, categorical), ("numbers", "passthrough", numeric)],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    encoding = Pipeline([("prepare", prepare), ("encode", encode)])
    return encoding, encoding.fit_transform(features)


def model_version(kind: str, feature_columns: list[str], settings: IntentSettings) -> str:
    """What scores, when it was made, and a hash of what defines it (features and settings):
    `supervised-20260331T030000Z-1a2b3c4d5e`."""
    digest = hashlib.sha256(repr((kind, feature_columns, asdict(settings))).encode()).hexdigest()[:10]
    return f"{kind}-{pd.Timestamp.now(tz='UTC'):%Y%m%dT%H%M%SZ}-{digest}"


def predict_probability(classifier, features: pd.DataFrame) -> np.ndarray:
    """P(purchase) per row."""
    return classifier.predict_proba(features)[:, 1]


@dataclass
class IntentModel:
    """A purchase-intent model and its evidence.

    `kind` says what scores: `SUPERVISED` (gradient boosting trained on labelled snapshots),
    or, while no supervised model can be trained or evaluated, a label-free one
    (`label_free.py`: `BG_NBD` on the transactions, `ENGAGEMENT_RECENCY` without any) and
    `reason` says why. A supervised model's `metrics` and tables are measured as
    `evaluation` says: out of time (a fit on the `trained_rows` of the snapshots
    `trained_on`, evaluated on the later snapshot `evaluated_on`) or on held-out customers.
    The `pipeline` that scores is the same recipe (features, settings, calibration) fitted
    again on the `served_rows` of every snapshot `served_on`, the evaluated one and the
    held-out customers included: backtest, then refit (`training.py`), and stacked with
    Pareto/NBD where there are purchase histories (`stacking.py`). A label-free model has
    no labels to be measured against: its metrics are empty and it serves what it fitted.
    """

    version: str
    kind: str
    evaluation: str
    horizon_days: int
    feature_columns: list[str]
    categorical_columns: list[str]
    trained_on: list[pd.Timestamp]
    evaluated_on: pd.Timestamp | None
    metrics: dict[str, float]
    calibration_table: str
    lift_table: str
    baseline_metrics: dict[str, dict[str, float]]
    ablation_table: str
    ablation_auc_loss: dict[str, float]
    # Explanations: features tried per customer, and the typical (encoded) value each is set to.
    explained_columns: list[str]
    reference_values: dict[str, object]
    settings: IntentSettings
    pipeline: Pipeline = field(repr=False)
    reason: str = ""
    trained_rows: int = 0
    served_on: list[pd.Timestamp] = field(default_factory=list)
    served_rows: int = 0

    def fits(self) -> dict[str, str]:
        """What was measured and what scores, in words (registry and materialization metadata)."""
        if self.kind != SUPERVISED:
            return {"served_fit": f"{self.kind}, fitted at scoring time (no labels, not evaluated)"}

        def through(dates: list[pd.Timestamp], rows: int) -> str:
            return f"{len(dates)} snapshots {dates[0]:%Y-%m-%d} … {dates[-1]:%Y-%m-%d}, {rows} rows"

        held_out = self.evaluation == HELD_OUT_CUSTOMERS
        return {
            "evaluated_fit": (
                f"{through(self.trained_on, self.trained_rows)}"
                + (" (customers not held out)" if held_out else "")
                + f"; evaluated on {self.evaluated_on:%Y-%m-%d}"
                + (" (held-out customers)" if held_out else "")
            ),
            "served_fit": (
                f"{through(self.served_on, self.served_rows)}, every customer"
                if held_out
                else f"all {through(self.served_on, self.served_rows)}, the evaluated one included"
            ),
        }

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """Calibrated P(purchase within `horizon_days`) for a frame indexed by `customer_id`.
        Encoded, then classified, rather than through `Pipeline.predict_proba`: a stacked model's
        last step (`stacking.ParetoNbdStack`) is fitted from parts, not by `fit`, and the
        pipeline's fitted-check refuses an estimator without one."""
        return self.predict_encoded(self.encode(features))

    def encode(self, features: pd.DataFrame) -> pd.DataFrame:
        """The numeric frame the classifier reads (categories as codes), same index."""
        return self.pipeline[:-1].transform(features)

    def predict_encoded(self, encoded: pd.DataFrame) -> np.ndarray:
        """`predict` on a frame from `encode`."""
        return predict_probability(self.pipeline[-1], encoded)

    def to_bytes(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def from_bytes(data: bytes) -> IntentModel:
        model = pickle.loads(data)
        if not isinstance(model, IntentModel):
            raise TypeError(f"bytes hold a {type(model).__name__}, not an IntentModel")
        # Models kept before these fields existed were all supervised and evaluated out of time.
        for name, value in (("kind", SUPERVISED), ("evaluation", OUT_OF_TIME), ("reason", "")):
            model.__dict__.setdefault(name, value)
        # Before the refit, a model served the fit it measured.
        for name, value in (("trained_rows", 0), ("served_on", model.trained_on), ("served_rows", 0)):
            model.__dict__.setdefault(name, value)
        return model
