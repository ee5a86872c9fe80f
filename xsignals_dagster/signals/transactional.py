"""`transactional_` signals: orders, revenue and returns across web, app and store.

An order is a web or app `purchase` (one per `order_id`: a re-sent purchase event of the same
order counts once, at its largest `revenue`) or a store transaction (one per `transaction_id`)
with at least one line of amount >= 0, its value the sum of those lines. A return is a store
transaction with a negative line, its value the sum of those lines' absolute amounts.

Columns (windows: trailing 30 and 90 days, and `all` history up to as_of):

- `transactional_orders_<w>` (int), `transactional_revenue_<w>` (float, gross order value),
  `transactional_returns_<w>` (int), `transactional_returned_value_<w>` (float),
  `transactional_aov_<w>` (revenue / orders), `transactional_return_rate_<w>`
  (returns / orders), both NA without orders.
- `transactional_<web|app|store>_order_share` (float): the channel mix of all orders.
- Recency, frequency, monetary: `transactional_days_since_last_purchase` (float days),
  `transactional_orders_all` above, `transactional_net_revenue_all` (revenue minus
  returned value), and `transactional_days_between_orders` (mean gap between first and
  last order, NA below two orders).
- `transactional_purchase_days` (int): the distinct days (UTC) with an order, all history: the
  purchase occasions that repeat-buying models (BG/NBD, Pareto/NBD) count, where two orders
  on one day are one occasion.
"""

from __future__ import annotations

import pandas as pd

from xsignals_dagster.contract.vocabularies import SIGNAL_WINDOWS_DAYS
from xsignals_dagster.ingest.records import SourceRecords
from xsignals_dagster.signals.aggregate import (
    additive_over_windows,
    days_between,
    ratio,
    shares,
    windowed_ratios,
)
from xsignals_dagster.signals.events import SHOPPING_CHANNELS, Touchpoints

WINDOWS_DAYS = SIGNAL_WINDOWS_DAYS["transactional"]
ONLINE_ORDER_SOURCES = ("web", "app")
ORDER_TOTALS = {
    "is_order": "orders",
    "order_value": "revenue",
    "is_return": "returns",
    "returned_value": "returned_value",
}
ORDER_RATIOS = {"aov": ("revenue", "orders"), "return_rate": ("returns", "orders")}


def orders(records: SourceRecords) -> pd.DataFrame:
    """One row per online order or store transaction: `customer`, `ts` (its first event or
    line), `channel`, `is_order`, `order_value`, `is_return`, `returned_value`."""
    tables = []
    for source in ONLINE_ORDER_SOURCES:
        events = records.rows(source, ["ts", "event_type", "order_id", "revenue"])
        purchases = events[(events["event_type"] == "purchase").to_numpy()]
        online = purchases.groupby(["customer", "order_id"], sort=False).agg(
            ts=("ts", "min"), order_value=("revenue", "max")
        )
        tables.append(
            online.reset_index().assign(channel=source, is_order=1, is_return=0, returned_value=0.0)
        )
    lines = records.rows("pos", ["ts", "transaction_id", "amount"])
    lines = lines.assign(
        is_order=(lines["amount"] >= 0).astype("int64"),
        order_value=lines["amount"].clip(lower=0),
        is_return=(lines["amount"] < 0).astype("int64"),
        returned_value=(-lines["amount"]).clip(lower=0),
    )
    store = lines.groupby(["customer", "transaction_id"], sort=False).agg(
        ts=("ts", "min"),
        is_order=("is_order", "max"),
        order_value=("order_value", "sum"),
        is_return=("is_return", "max"),
        returned_value=("returned_value", "sum"),
    )
    tables.append(store.reset_index().assign(channel="store"))
    columns = ["customer", "ts", "channel", *ORDER_TOTALS]
    table = pd.concat([t[columns] for t in tables], ignore_index=True)
    return table.astype(
        {"channel": pd.CategoricalDtype(SHOPPING_CHANNELS), "is_order": "int64", "is_return": "int64"}
    )


def _totals(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.groupby("customer")[list(ORDER_TOTALS)].sum().rename(columns=ORDER_TOTALS)


def transactional_signals(touchpoints: Touchpoints) -> pd.DataFrame:
    """The `transactional_` columns (module docstring), one row per customer."""
    as_of, customers = touchpoints.as_of, touchpoints.customers
    table = orders(touchpoints.records)
    placed = table[table["is_order"].to_numpy() == 1]
    totals = additive_over_windows(table, as_of, WINDOWS_DAYS, customers, _totals)
    span = placed.groupby("customer")["ts"].agg(["min", "max"]).reindex(customers)
    purchase_days = (
        placed.assign(day=placed["ts"].dt.floor("D"))
        .drop_duplicates(["customer", "day"])
        .groupby("customer")
        .size()
        .reindex(customers, fill_value=0)
        .astype("int64")
    )
    signals = pd.concat(
        [
            totals,
            windowed_ratios(totals, ORDER_RATIOS, WINDOWS_DAYS),
            shares(placed, "channel", SHOPPING_CHANNELS, customers).add_suffix("_order_share"),
            pd.DataFrame(
                {
                    "days_since_last_purchase": days_between(span["max"], as_of),
                    "net_revenue_all": totals["revenue_all"] - totals["returned_value_all"],
                    "days_between_orders": ratio(
                        days_between(span["min"], span["max"]), totals["orders_all"] - 1
                    ),
                    "purchase_days": purchase_days,
                }
            ),
        ],
        axis=1,
    )
    return signals.add_prefix("transactional_")
