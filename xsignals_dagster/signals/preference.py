"""`preference_` signals: what the customer told us, and what their behaviour says they prefer.

Columns:

- Stated (latest non-empty preference-centre value up to as_of): `preference_preferred_channel`
  (str), `preference_interests` (str: lower-cased categories, `;`-separated, in stated
  order), `preference_consent_<email|push|sms|location|personalization>` (bool, the
  state of `privacy.consent`).
- Inferred, over all history up to as_of: `preference_favourite_category` (str, most
  frequent category of product views and purchases on any channel) and
  `preference_favourite_channel` (str, the shopping channel — web, app, store — active on
  most days).
"""

from __future__ import annotations

import pandas as pd

from xsignals_dagster.contract.vocabularies import CONSENT_COLUMNS
from xsignals_dagster.privacy.consent import latest_statements
from xsignals_dagster.signals.aggregate import most_frequent
from xsignals_dagster.signals.events import SHOPPING_CHANNELS, Touchpoints

CATEGORY_EVIDENCE = ("product_view", "purchase")


def normalised_interests(interests: pd.Series) -> pd.Series:
    """`;`-separated categories, trimmed, lower-cased, without empties or repeats."""
    items = interests.dropna().str.split(";").explode().str.strip().str.lower()
    items = items[items.fillna("").ne("")]
    listed = items.rename("interest").rename_axis("customer").reset_index().drop_duplicates()
    return listed.groupby("customer", sort=False)["interest"].agg(";".join).reindex(interests.index)


def preference_signals(touchpoints: Touchpoints) -> pd.DataFrame:
    """The `preference_` columns (module docstring), one row per customer."""
    activity, customers = touchpoints.activity, touchpoints.customers
    stated, _ = latest_statements(touchpoints.records, ["interests"])
    viewed_or_bought = activity[activity["event_type"].isin(CATEGORY_EVIDENCE).to_numpy()]
    shopping = activity.loc[
        activity["channel"].isin(SHOPPING_CHANNELS).to_numpy(), ["customer", "channel", "ts"]
    ]
    active_days = shopping.assign(day=shopping["ts"].dt.floor("D")).drop_duplicates(
        ["customer", "channel", "day"]
    )
    signals = pd.DataFrame(
        {
            "preferred_channel": touchpoints.consent["preferred_channel"],
            "interests": normalised_interests(stated["interests"].reindex(customers)),
            **{column: touchpoints.consent[column] for column in CONSENT_COLUMNS},
            "favourite_category": most_frequent(viewed_or_bought, "category", customers),
            "favourite_channel": most_frequent(active_days, "channel", customers),
        },
        index=customers,
    )
    return signals.add_prefix("preference_")
