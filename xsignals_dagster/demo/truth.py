"""Ground truth, which the pipeline never reads: who every identifier belongs to, each person's hidden
state and holdout outcome, and the purchases of the holdout days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xsignals_dagster.demo.draws import keep, take
from xsignals_dagster.demo.intent import Intent
from xsignals_dagster.demo.reference import CATEGORIES
from xsignals_dagster.demo.rosters import written_addresses
from xsignals_dagster.demo.world import World


def identifier_truth(world: World, store: pd.DataFrame) -> pd.DataFrame:
    """Every identifier value in its normal form and the people it belongs to (shared values: one
    row per user)."""
    person_ids = world.column("person_id")
    everyone = np.arange(len(person_ids))
    used_kiosks = store[store["device_id"].isin(world.stores["kiosk"])]

    def pairs(id_type: str, person: np.ndarray, values: np.ndarray) -> pd.DataFrame:
        present = pd.notna(values)
        return pd.DataFrame(
            {"id_type": id_type, "id_value": values[present], "person_id": person_ids[person[present]]}
        )

    def phones(national: np.ndarray) -> np.ndarray:
        return np.array([None if number is None else "1" + number for number in national], dtype=object)

    parts = [
        pairs("cookie_id", world.cookies["person"].to_numpy(), world.cookies["cookie_id"].to_numpy()),
        pairs("device_id", world.devices["person"].to_numpy(), world.devices["device_id"].to_numpy()),
        pairs("device_id", used_kiosks["_person"].to_numpy(), used_kiosks["device_id"].to_numpy()),
        pairs("account_id", everyone, world.column("account_id")),
        pairs("loyalty_id", everyone, world.column("loyalty_id")),
        pairs("loyalty_id", everyone, world.column("second_loyalty_id")),
        pairs("email", everyone, world.column("email")),
        pairs("email", everyone, world.column("second_email")),
        pairs("phone", everyone, phones(world.column("mobile"))),
        pairs("phone", everyone, phones(world.column("home_phone"))),
        pairs("payment_token", world.tokens["person"].to_numpy(), world.tokens["payment_token"].to_numpy()),
    ]
    return (
        pd.concat(parts, ignore_index=True)
        .drop_duplicates()
        .sort_values(["id_type", "id_value", "person_id"], ignore_index=True)
    )


def person_truth(
    world: World, intent: Intent, purchased_holdout: np.ndarray, erasure_day: np.ndarray
) -> pd.DataFrame:
    """One row per person: who they are, where they live at the end, their hidden state and the
    holdout truth."""
    cal, catalog = world.cal, world.catalog
    household = world.column("household")
    moved_day = world.households["moved_day"].to_numpy()[household]
    person = np.arange(len(household))
    moved = moved_day >= 0
    canonical_style = np.full(len(person), 0.5)  # short suffix, no dots, mixed case
    address = {
        column: np.where(moved, new, old)
        for column, old, new in (
            (
                column,
                written_addresses(world, person, "", canonical_style)[column],
                written_addresses(world, person, "new_", canonical_style)[column],
            )
            for column in ("street", "city", "postcode", "state")
        )
    }
    focus_at_end = intent.focus[:, cal.days - 1]
    in_market_at_end = focus_at_end >= 0

    def dates_or_blank(day: np.ndarray) -> np.ndarray:
        return keep(cal.dates(np.maximum(day, 0)), day >= 0)

    return pd.DataFrame(
        {
            "person_id": world.column("person_id"),
            "household_id": world.households["household_id"].to_numpy()[household],
            "first_name": world.column("first_name"),
            "last_name": world.column("last_name"),
            "gender": world.column("gender"),
            "date_of_birth": np.datetime_as_string(world.column("birth").astype("datetime64[D]"), unit="D"),
            **address,
            "segment": world.column("segment"),
            "home_store": world.stores["store_id"].to_numpy()[world.column("home_store")],
            "has_account": pd.notna(world.column("account_id")).astype(int),
            "has_loyalty": pd.notna(world.column("loyalty_id")).astype(int),
            "entry_rate": world.column("entry").round(5),
            "persistence": world.column("persistence").round(4),
            "in_market_purchase_rate": world.column("buy_in_market").round(4),
            "baseline_purchase_rate": world.column("buy_baseline").round(5),
            "in_market_at_end": in_market_at_end.astype(int),
            "in_market_days_at_end": intent.streak_at_end,
            "in_market_category": take(
                CATEGORIES["category"].to_numpy(),
                np.where(in_market_at_end, catalog.category[np.maximum(focus_at_end, 0)], -1),
            ),
            "in_market_product": take(catalog.product_id, focus_at_end),
            "p_purchase_holdout": intent.p_holdout.round(6),
            "purchased_holdout": purchased_holdout.astype(int),
            "moved_on": dates_or_blank(moved_day),
            "erasure_requested_on": dates_or_blank(erasure_day),
        }
    )


def holdout_truth(world: World, orders: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """The purchase lines of the holdout days, which never land."""
    cal, catalog = world.cal, world.catalog
    holdout = orders["day"].to_numpy()[lines["order"]] >= cal.days
    line = lines[holdout]
    order = orders.loc[line["order"]]
    product = line["product"].to_numpy()
    return pd.DataFrame(
        {
            "person_id": world.column("person_id")[order["person"].to_numpy()],
            "date": cal.dates(order["day"].to_numpy()),
            "channel": order["channel"].to_numpy(),
            "product_id": catalog.product_id[product],
            "category": CATEGORIES["category"].to_numpy()[catalog.category[product]],
            "amount": line["amount"].to_numpy(),
        }
    )
