"""`journey_` signals: what exists only once a customer's touchpoints are joined.

Online research is a web or app `product_view` or `search`; a store visit is any store
interaction or sale. A product is "seen" on a channel by any of the customer's own events
naming it there (views, carts, wishlists, purchases, try-ons, email clicks, sale lines).
Product matching joins per-(customer, product) aggregates, never event against event.

Columns, over all history up to as_of unless suffixed:

- `journey_researched_online_then_store` (bool): a store visit after online research.
- `journey_days_research_to_store` (float): days from the first online research to the
  first store visit after it.
- `journey_products_viewed_then_tried` (int): products tried on in store after an online
  view of the same product.
- `journey_cross_channel_purchases` (int): products bought on one channel after being seen
  on another (web view, store try-on, app purchase counts).
- `journey_multichannel_products` (int): products seen on two or more channels.
- `journey_top_product` (str) and `journey_top_product_channels` (str, e.g. `"web,store"`):
  the product seen on most channels (then most events, then most recently) and its channels.
- `journey_channels_30d` (str, e.g. `"web,app"`) and `journey_channel_count_30d` (int):
  channels the customer acted on in the last 30 days.
- `journey_last_touch_channel` (str): channel of the customer's latest own event.

Channel lists are written in the order web, app, store, email, service.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xsignals_dagster.signals.aggregate import best_per_customer, days_between, within
from xsignals_dagster.signals.events import CHANNELS, Touchpoints

RESEARCH_CHANNELS = ("web", "app")
RESEARCH_EVENTS = ("product_view", "search")
RECENT_CHANNELS_DAYS = 30
# "web,store" for every set of channels, indexed by the bit mask of their category codes.
CHANNEL_SET_NAMES = np.array(
    [",".join(c for bit, c in enumerate(CHANNELS) if mask >> bit & 1) for mask in range(1 << len(CHANNELS))],
    dtype=object,
)


def _channel_bits(events: pd.DataFrame) -> np.ndarray:
    return np.left_shift(1, events["channel"].cat.codes.to_numpy().astype(np.int64))


def _channel_sets(bits: pd.Series, customers: pd.Index) -> pd.Series:
    """`"web,store"` for each customer's channel bit mask."""
    return pd.Series(CHANNEL_SET_NAMES[bits.to_numpy()], index=bits.index).reindex(customers)


def _has(events: pd.DataFrame, channels: tuple[str, ...], event_types: tuple[str, ...]) -> np.ndarray:
    return (events["channel"].isin(channels) & events["event_type"].isin(event_types)).to_numpy()


def research_to_store(activity: pd.DataFrame, customers: pd.Index) -> pd.DataFrame:
    research = activity[_has(activity, RESEARCH_CHANNELS, RESEARCH_EVENTS)]
    first_research = research.groupby("customer")["ts"].min().rename("first_research")
    store = activity.loc[(activity["channel"] == "store").to_numpy(), ["customer", "ts"]]
    store = store.merge(first_research.reset_index(), on="customer")
    first_visit_after = store[store["ts"] > store["first_research"]].groupby("customer")["ts"].min()
    return pd.DataFrame(
        {
            "researched_online_then_store": customers.isin(first_visit_after.index),
            "days_research_to_store": days_between(first_research, first_visit_after).reindex(customers),
        },
        index=customers,
    )


def product_channels(activity: pd.DataFrame) -> pd.DataFrame:
    """One row per (customer, product_id, channel) the product was seen on: `first`, `last`, `events`."""
    seen = activity[activity["product_id"].notna().to_numpy()]
    return (
        seen.groupby(["customer", "product_id", "channel"], observed=True)["ts"]
        .agg(first="min", last="max", events="size")
        .reset_index()
    )


def tried_after_view(activity: pd.DataFrame, customers: pd.Index) -> pd.Series:
    keys = ["customer", "product_id"]
    views = (
        activity[_has(activity, RESEARCH_CHANNELS, ("product_view",))]
        .groupby(keys, observed=True)["ts"]
        .min()
    )
    try_ons = activity[_has(activity, ("store",), ("try_on",))].groupby(keys, observed=True)["ts"].max()
    matched = pd.concat({"viewed": views, "tried": try_ons}, axis=1, join="inner")
    tried = matched[matched["tried"] > matched["viewed"]]
    return tried.groupby(level="customer").size().reindex(customers, fill_value=0)


def cross_channel_purchases(activity: pd.DataFrame, seen: pd.DataFrame, customers: pd.Index) -> pd.Series:
    purchases = activity.loc[
        (activity["event_type"] == "purchase").to_numpy() & activity["product_id"].notna().to_numpy(),
        ["customer", "product_id", "channel", "ts"],
    ]
    paired = purchases.merge(
        seen[["customer", "product_id", "channel", "first"]],
        on=["customer", "product_id"],
        suffixes=("", "_seen"),
    )
    crossed = paired[(paired["channel"] != paired["channel_seen"]) & (paired["first"] < paired["ts"])]
    return (
        crossed.drop_duplicates(["customer", "product_id"])
        .groupby("customer")
        .size()
        .reindex(customers, fill_value=0)
    )


def product_interest(seen: pd.DataFrame, customers: pd.Index) -> pd.DataFrame:
    products = (
        seen.assign(bits=_channel_bits(seen))
        .groupby(["customer", "product_id"], observed=True)
        .agg(channels=("bits", "size"), bits=("bits", "sum"), events=("events", "sum"), last=("last", "max"))
        .reset_index()
    )
    top = best_per_customer(products, ["channels", "events", "last"])  # then the smaller product id
    return pd.DataFrame(
        {
            "multichannel_products": (products["channels"] >= 2)
            .groupby(products["customer"])
            .sum()
            .reindex(customers, fill_value=0),
            "top_product": top["product_id"].astype(object).reindex(customers),
            "top_product_channels": _channel_sets(top["bits"], customers),
        }
    )


def recent_channels(activity: pd.DataFrame, as_of: pd.Timestamp, customers: pd.Index) -> pd.DataFrame:
    used = within(activity, as_of, RECENT_CHANNELS_DAYS).drop_duplicates(["customer", "channel"])
    bits = pd.Series(_channel_bits(used), index=used["customer"].to_numpy()).groupby(level=0).sum()
    return pd.DataFrame(
        {
            f"channels_{RECENT_CHANNELS_DAYS}d": _channel_sets(bits, customers),
            f"channel_count_{RECENT_CHANNELS_DAYS}d": used.groupby("customer")
            .size()
            .reindex(customers, fill_value=0),
        }
    )


def last_touch(activity: pd.DataFrame, customers: pd.Index) -> pd.Series:
    latest = activity.loc[activity.groupby("customer")["ts"].idxmax().to_numpy(), ["customer", "channel"]]
    return latest.set_index("customer")["channel"].astype(object).reindex(customers)


def journey_signals(touchpoints: Touchpoints) -> pd.DataFrame:
    """The `journey_` columns (module docstring), one row per customer."""
    activity, customers = touchpoints.activity, touchpoints.customers
    seen = product_channels(activity)
    signals = pd.concat(
        [
            research_to_store(activity, customers),
            pd.DataFrame(
                {
                    "products_viewed_then_tried": tried_after_view(activity, customers),
                    "cross_channel_purchases": cross_channel_purchases(activity, seen, customers),
                }
            ),
            product_interest(seen, customers),
            recent_channels(activity, touchpoints.as_of, customers),
            last_touch(activity, customers).rename("last_touch_channel"),
        ],
        axis=1,
    )
    return signals.add_prefix("journey_")
