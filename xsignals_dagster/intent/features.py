"""Which profile columns the intent model reads, how they become model input, and which
touchpoint each column belongs to (for baselines and ablation).

Column groups are name patterns over the signal prefixes (`behavioral_`, `transactional_`,
`engagement_`, `contextual_`, `preference_`, `journey_`) and the touchpoint names inside
them, so a new signal joins its group without code changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

CUSTOMER_ID = "customer_id"
AS_OF = "as_of"
LABEL = "purchased"
KEY_COLUMNS = (CUSTOMER_ID, AS_OF)
# In a snapshot's features, the customer whose purchases label the row: today's id of a
# customer that was still in parts at the snapshot (see identity.history).
LABEL_OWNER = "label_customer_id"

# Touchpoint -> the columns that carry its data; a column may belong to several.
TOUCHPOINT_PATTERNS: dict[str, str] = {
    "web": r"(^|_)web(_|$)",
    "app": r"(^|_)(app|push)(_|$)",
    "store": r"(^|_)(stores?|try_ons?)(_|$)",
    "pos/transactional": r"^transactional_|(^|_)pos(_|$)",
    "email": r"(^|_)email(_|$)",
    "service": r"(^|_)service(_|$)",
    "preferences/journey": r"^(preference|journey)_",
}

# A text column with more distinct values names things (products, stores) rather than
# sorting customers into groups.
MAX_TEXT_LEVELS = 50

# Feature-subset baselines: what a single-touchpoint model would know. RFM: recency (days
# since the last purchase), frequency (orders, gaps between them), monetary (revenue, AOV).
RFM_PATTERN = (
    r"^transactional_(days_since_last_purchase|days_between_orders|orders_|purchase_days|revenue_|net_revenue_|aov_)"
    r"|^transactional_.*(recency|frequency|monetary)"
)
WEB_ONLY_PATTERN = r"^behavioral_.*web"


def columns_matching(columns: Iterable[str], pattern: str) -> list[str]:
    """The columns whose name matches `pattern` (searched, case-insensitive), in their order."""
    compiled = re.compile(pattern, re.IGNORECASE)
    return [c for c in columns if compiled.search(c)]


def with_customer_column(frame: pd.DataFrame) -> pd.DataFrame:
    """A feature frame with `customer_id` as a column, whether it came as index or column."""
    if CUSTOMER_ID in frame.columns:
        return frame.reset_index(drop=True)
    if frame.index.name != CUSTOMER_ID:
        raise ValueError(
            f"a feature frame needs a `{CUSTOMER_ID}` column or index, got index {frame.index.name!r}"
        )
    return frame.reset_index()


def _is_text(values: pd.Series) -> bool:
    """Text, not numbers or booleans (even when held in an object column)."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    return pd.api.types.infer_dtype(values, skipna=True) not in ("boolean", "integer", "floating", "empty")


def feature_columns_of(frame: pd.DataFrame) -> list[str]:
    """Every column a model may read by default: not a key, not the label, not a timestamp (an
    absolute date does not carry over from one snapshot to the next), not a text column with
    more than MAX_TEXT_LEVELS values (an identifier such as a product id, not a category)."""
    return [
        c
        for c in frame.columns
        if c not in (*KEY_COLUMNS, LABEL)
        and not pd.api.types.is_datetime64_any_dtype(frame[c])
        and not (_is_text(frame[c]) and frame[c].nunique() > MAX_TEXT_LEVELS)
    ]


def categorical_columns_of(frame: pd.DataFrame, feature_columns: list[str]) -> list[str]:
    """The text columns among the features: encoded as categories."""
    return [c for c in feature_columns if _is_text(frame[c])]


def model_input(
    frame: pd.DataFrame, feature_columns: list[str], categorical_columns: list[str]
) -> pd.DataFrame:
    """The model's view of a feature frame: numbers (booleans as 0/1) as float with NaN for
    unknown, categories as text with NaN; the index is kept (it names the customer)."""
    missing = [c for c in feature_columns if c not in frame.columns]
    if missing:
        raise ValueError(f"feature frame lacks the model's columns: {missing}")
    categorical = set(categorical_columns)
    columns = {}
    for column in feature_columns:
        values = frame[column]
        if column in categorical:
            columns[column] = values.astype("string").astype(object).where(values.notna(), np.nan)
        elif isinstance(values.dtype, np.dtype) and values.dtype.kind in "biuf":
            columns[column] = values.to_numpy(dtype=float)
        else:  # nullable or object columns: pd.NA and None become NaN
            columns[column] = pd.to_numeric(
                values.astype(object).where(values.notna(), np.nan), errors="coerce"
            ).astype(float)
    return pd.DataFrame(columns, index=frame.index)
