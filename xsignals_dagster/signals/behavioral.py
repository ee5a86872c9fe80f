"""`behavioral_` signals: what a customer does on the web and in the app, what interests
them, and how recently they were active on each shopping channel.

Columns (windows: trailing 7, 30 and 90 days up to as_of):

- `behavioral_<web|app>_<product_views|searches|add_to_carts|wishlist_adds|sessions>_<7|30|90>d`
  (int). A session is a run of the customer's events on one channel with no gap over 30
  minutes; it counts in the window where it starts.
- `behavioral_top_category_90d`, `behavioral_top_product_90d` (str): most frequent over
  product views, searches, add-to-carts, wishlist adds (web, app) and store try-ons.
- `behavioral_distinct_products_viewed_90d` (int): web and app product views.
- `behavioral_days_since_last_<web|app|store>` (float days; store includes sales).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xsignals_dagster.contract.vocabularies import SIGNAL_WINDOWS_DAYS
from xsignals_dagster.signals.aggregate import (
    additive_over_windows,
    count_labels,
    days_between,
    distinct_count,
    label_events,
    most_frequent,
    within,
)
from xsignals_dagster.signals.events import SHOPPING_CHANNELS, Touchpoints

WINDOWS_DAYS = SIGNAL_WINDOWS_DAYS["behavioral"]
INTEREST_WINDOW_DAYS = 90
SESSION_GAP = pd.Timedelta(minutes=30)
ONLINE_CHANNELS = ("web", "app")
ACTION_COUNTS = {
    "product_view": "product_views",
    "search": "searches",
    "add_to_cart": "add_to_carts",
    "wishlist_add": "wishlist_adds",
}
INTEREST_EVENTS = (*ACTION_COUNTS, "try_on")


def session_starts(activity: pd.DataFrame) -> pd.DataFrame:
    """`customer`, `ts` and `label` (`<channel>_sessions`) of the first event of every online
    session."""
    online = activity.loc[activity["channel"].isin(ONLINE_CHANNELS).to_numpy(), ["customer", "channel", "ts"]]
    online["channel"] = online["channel"].cat.set_categories(ONLINE_CHANNELS)
    customer, channel, ts = (
        online["customer"].to_numpy(),
        online["channel"].cat.codes.to_numpy(),
        online["ts"].to_numpy(),
    )
    order = np.lexsort((ts, channel, customer))
    customer, channel, ts = customer[order], channel[order], ts[order]
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = (
        (customer[1:] != customer[:-1])
        | (channel[1:] != channel[:-1])
        | (np.diff(ts) > SESSION_GAP.to_timedelta64())
    )
    sessions = online.iloc[order[starts]]
    return pd.DataFrame(
        {
            "customer": sessions["customer"],
            "ts": sessions["ts"],
            "label": sessions["channel"].cat.rename_categories(lambda channel: f"{channel}_sessions"),
        }
    )


def behavioral_signals(touchpoints: Touchpoints) -> pd.DataFrame:
    """The `behavioral_` columns (module docstring), one row per customer."""
    activity, as_of, customers = touchpoints.activity, touchpoints.as_of, touchpoints.customers
    actions = label_events(
        activity,
        {
            (channel, event): f"{channel}_{name}"
            for channel in ONLINE_CHANNELS
            for event, name in ACTION_COUNTS.items()
        },
    )
    interest = within(
        activity[activity["event_type"].isin(INTEREST_EVENTS).to_numpy()], as_of, INTEREST_WINDOW_DAYS
    )
    online_views = interest[
        ((interest["event_type"] == "product_view") & interest["channel"].isin(ONLINE_CHANNELS)).to_numpy()
    ]
    last_active = activity.groupby(["customer", "channel"], observed=True)["ts"].max()
    days_since_active = (
        days_between(last_active, as_of).unstack().reindex(index=customers, columns=list(SHOPPING_CHANNELS))
    )
    interest_suffix = f"_{INTEREST_WINDOW_DAYS}d"
    signals = pd.concat(
        [
            additive_over_windows(actions, as_of, WINDOWS_DAYS, customers, count_labels),
            additive_over_windows(session_starts(activity), as_of, WINDOWS_DAYS, customers, count_labels),
            pd.DataFrame(
                {
                    f"top_category{interest_suffix}": most_frequent(interest, "category", customers),
                    f"top_product{interest_suffix}": most_frequent(interest, "product_id", customers),
                    f"distinct_products_viewed{interest_suffix}": distinct_count(
                        online_views, ["product_id"], customers
                    ),
                }
            ),
            days_since_active.add_prefix("days_since_last_"),
        ],
        axis=1,
    )
    return signals.add_prefix("behavioral_")
