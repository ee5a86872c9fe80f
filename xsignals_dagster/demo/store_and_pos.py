"""Stores: in-store interactions (visits, try-ons, consultations, kiosk use, click-and-collect pickups)
and the till lines of store sales and returns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xsignals_dagster.demo.draws import keep, rank_within, replaced, seconds_of_day, take, zero_padded
from xsignals_dagster.demo.identities import owned
from xsignals_dagster.demo.intent import Intent
from xsignals_dagster.demo.reference import (
    CATEGORIES,
    CONSULT_CHANCE,
    ONE_DAY,
    RETURN_RATE,
    TRY_ONS_PER_VISIT,
)
from xsignals_dagster.demo.typos import retype_emails
from xsignals_dagster.demo.web_and_app import activity_sessions
from xsignals_dagster.demo.world import World


def either_email(rng: np.random.Generator, world: World, person: np.ndarray) -> np.ndarray:
    """The address a person gives at a till or to a service agent: now and then their second one."""
    second = world.column("second_email")[person]
    return np.where(pd.notna(second) & (rng.random(len(person)) < 0.3), second, world.column("email")[person])


def active_card(rng: np.random.Generator, world: World, person: np.ndarray, utc: np.ndarray) -> np.ndarray:
    """The loyalty card a person would show at `utc` (a second card now and then), None if they hold
    none yet."""
    first = keep(world.column("loyalty_id")[person], world.column("loyalty_since")[person] <= utc)
    second = world.column("second_loyalty_since")[person] <= utc
    return np.where(
        second & (rng.random(len(person)) < 0.3), world.column("second_loyalty_id")[person], first
    )


def build_store(
    rng, world: World, intent: Intent, orders: pd.DataFrame, pickups: pd.DataFrame
) -> pd.DataFrame:
    """In-store interactions: visits seen by a card scan or the app's geofence, try-ons, consults,
    kiosk use, pickups."""
    cal, stores = world.cal, world.stores
    browse = activity_sessions(rng, world, intent, "store")
    home = world.column("home_store")[browse["person"].to_numpy()]
    browse["store"] = np.where(
        rng.random(len(browse)) < 0.85, home, rng.integers(0, len(stores), len(browse))
    )
    bought = orders[(orders["channel"] == "store") & (orders["day"] < cal.days)]
    visits = pd.concat(
        [
            browse.assign(kind="browse", target=-1),
            pd.DataFrame(
                {
                    "person": bought["person"].to_numpy(),
                    "day": bought["day"].to_numpy(),
                    "start": np.maximum(
                        bought["seconds"].to_numpy() - rng.integers(300, 2400, len(bought)), 9 * 3600
                    ),
                    "store": bought["store"].to_numpy(),
                    "kind": "purchase",
                    "target": bought["product"].to_numpy(),
                }
            ),
            pickups.assign(start=seconds_of_day(rng, "store", len(pickups)), kind="pickup"),
        ],
        ignore_index=True,
    )
    visits = visits[visits["day"] < cal.days].reset_index(drop=True)
    n = len(visits)
    person, day, kind = visits["person"].to_numpy(), visits["day"].to_numpy(), visits["kind"].to_numpy()
    store = visits["store"].to_numpy()
    offset = stores["offset"].to_numpy()[store]
    start_utc = cal.utc(day, visits["start"].to_numpy(), offset)
    card = active_card(rng, world, person, start_utc)
    has_card = pd.notna(card)
    scanned = has_card & (rng.random(n) < np.where(kind == "pickup", 0.6, 0.5))
    phones = world.devices[world.devices["personal"].to_numpy(dtype=bool)]
    phone = owned(phones["person"].to_numpy(), person, rng, 0.8)
    geofenced = (phone >= 0) & world.column("consent_location")[person] & (rng.random(n) < 0.45)
    in_market = intent.in_market[person, day]
    shopping = kind != "pickup"

    # (visit, event type, product source, identified by): one list entry per kind of row
    try_ons = np.repeat(
        np.arange(n), np.where(shopping, rng.poisson(np.take(TRY_ONS_PER_VISIT, in_market.astype(int))), 0)
    )
    bought_try_on = np.flatnonzero((kind == "purchase") & (rng.random(n) < 0.5))
    rows = [
        (np.flatnonzero(shopping & (scanned | geofenced)), "store_visit", "none", "visit"),
        (try_ons, "try_on", "interest", "associate"),
        (bought_try_on, "try_on", "target", "associate"),
        (
            np.flatnonzero(shopping & (rng.random(n) < np.take(CONSULT_CHANCE, in_market.astype(int)))),
            "associate_consult",
            "interest",
            "associate",
        ),
        (np.flatnonzero(shopping & (rng.random(n) < 0.1)), "store_visit", "none", "kiosk"),
        (np.flatnonzero(kind == "pickup"), "click_and_collect_pickup", "target", "visit"),
    ]
    visit = np.concatenate([r[0] for r in rows])
    event_type = np.repeat([r[1] for r in rows], [len(r[0]) for r in rows])
    source = np.repeat([r[2] for r in rows], [len(r[0]) for r in rows])
    identified_by = np.repeat([r[3] for r in rows], [len(r[0]) for r in rows])
    m = len(visit)

    category, product = world.interests(rng, person[visit], intent.focus[person[visit], day[visit]], 0.8, 0.6)
    target = visits["target"].to_numpy()[visit]
    product = np.where(source == "target", target, product)
    category = world.catalog.category[product]
    can_try_on = CATEGORIES["try_on"].to_numpy()[category] == 1
    keep_row = (event_type != "try_on") | can_try_on
    shows_product = (source == "target") | (
        (source == "interest") & ((event_type == "try_on") | (rng.random(m) < 0.5))
    )
    kiosk = identified_by == "kiosk"
    associate_scan = (identified_by == "associate") & (rng.random(m) < 0.7)
    loyalty = keep(
        card[visit],
        np.where(
            kiosk,
            has_card[visit] & (rng.random(m) < 0.5),
            scanned[visit] & ((identified_by == "visit") | associate_scan),
        ),
    )
    device = np.where(
        kiosk,
        stores["kiosk"].to_numpy()[store[visit]],
        keep(
            take(phones["device_id"].to_numpy(), phone[visit]), geofenced[visit] & (identified_by == "visit")
        ),
    )
    seconds = np.minimum(
        visits["start"].to_numpy()[visit]
        + np.where(event_type == "store_visit", 0, rng.integers(60, 2400, m)),
        ONE_DAY - 1,
    )
    frame = pd.DataFrame(
        {
            "_day": day[visit],
            "_person": person[visit],
            "_offset": offset[visit],
            "ts": cal.utc(day[visit], seconds, offset[visit]),
            "store_id": stores["store_id"].to_numpy()[store[visit]],
            "event_type": event_type,
            "loyalty_id": loyalty,
            "device_id": device,
            "product_id": keep(world.catalog.product_id[product], shows_product & (source != "none")),
            "category": keep(CATEGORIES["category"].to_numpy()[category], source != "none"),
        }
    )
    return frame[keep_row].reset_index(drop=True)


def build_pos(
    rng, world: World, orders: pd.DataFrame, lines: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Till lines of store sales and of returns (of goods bought on any channel); also one row per
    transaction."""
    cal, stores = world.cal, world.stores
    landed = orders["day"].to_numpy() < cal.days
    sold = lines[(orders["channel"].to_numpy()[lines["order"]] == "store") & landed[lines["order"]]]
    return_rate = np.vectorize(RETURN_RATE.get, otypes=[float])(orders["channel"].to_numpy())[lines["order"]]
    returned = lines[landed[lines["order"]] & (rng.random(len(lines)) < return_rate)]
    return_day = orders["day"].to_numpy()[returned["order"]] + 2 + rng.geometric(1 / 8, len(returned))
    returned = returned[return_day < cal.days]
    return_day = return_day[return_day < cal.days]

    sale_orders = orders.loc[np.unique(sold["order"])]
    return_person = orders["person"].to_numpy()[returned["order"]]
    transactions = pd.DataFrame(
        {
            "person": np.r_[sale_orders["person"].to_numpy(), return_person],
            "day": np.r_[sale_orders["day"].to_numpy(), return_day],
            "seconds": np.r_[sale_orders["seconds"].to_numpy(), seconds_of_day(rng, "store", len(returned))],
            "store": np.r_[sale_orders["store"].to_numpy(), world.column("home_store")[return_person]],
            "is_return": np.repeat([False, True], [len(sale_orders), len(returned)]),
        }
    )
    line_of = np.r_[
        np.searchsorted(sale_orders.index.to_numpy(), sold["order"].to_numpy()),
        len(sale_orders) + np.arange(len(returned)),
    ]
    line_rows = pd.concat([sold, returned], ignore_index=True)
    n = len(transactions)
    person, store = transactions["person"].to_numpy(), transactions["store"].to_numpy()
    is_return = transactions["is_return"].to_numpy()
    offset = stores["offset"].to_numpy()[store]
    utc = cal.utc(transactions["day"].to_numpy(), transactions["seconds"].to_numpy(), offset)
    card = keep(active_card(rng, world, person, utc), rng.random(n) < np.where(is_return, 0.5, 0.6))
    token_row = owned(world.tokens["person"].to_numpy(), person, rng, 0.7)
    token = keep(
        take(world.tokens["payment_token"].to_numpy(), token_row),
        rng.random(n) < np.where(is_return, 0.8, 0.85),
    )
    email = keep(
        retype_emails(rng, either_email(rng, world, person)), rng.random(n) < np.where(is_return, 0.1, 0.25)
    )

    order = np.lexsort((utc, store, transactions["day"].to_numpy()))
    number_in_store_day = np.empty(n, dtype=np.int64)
    number_in_store_day[order] = rank_within(transactions["day"].to_numpy()[order] * 1000 + store[order]) + 1
    store_number = zero_padded((store + 1).astype(str), 3)
    transaction_id = np.strings.add(
        np.strings.add(
            np.strings.add(store_number, "-"), replaced(cal.dates(transactions["day"].to_numpy()), "-", "")
        ),
        np.strings.add("-", zero_padded(number_in_store_day.astype(str), 4)),
    )
    sign = np.where(is_return[line_of], -1, 1)
    amount = sign * line_rows["amount"].to_numpy()
    frame = pd.DataFrame(
        {
            "_day": transactions["day"].to_numpy()[line_of],
            "_person": person[line_of],
            "_offset": offset[line_of],
            "_file": np.strings.add("-", stores["store_id"].to_numpy()[store[line_of]].astype(str)),
            "transaction_id": transaction_id[line_of],
            "line_no": rank_within(line_of) + 1,
            "ts": utc[line_of],
            "store_id": stores["store_id"].to_numpy()[store[line_of]],
            "amount": amount,
            "product_id": world.catalog.product_id[line_rows["product"].to_numpy()],
            "category": CATEGORIES["category"].to_numpy()[
                world.catalog.category[line_rows["product"].to_numpy()]
            ],
            "quantity": sign * line_rows["quantity"].to_numpy(),
            "unit_price": line_rows["unit_price"].to_numpy(),
            "loyalty_id": card[line_of],
            "payment_token": token[line_of],
            "email": email[line_of],
        }
    ).sort_values(["_day", "transaction_id", "line_no"], kind="stable", ignore_index=True)
    summary = pd.DataFrame(
        {
            "person": person,
            "day": transactions["day"].to_numpy(),
            "utc": utc,
            "is_return": is_return,
            "loyalty_id": card,
            "points": np.floor(np.bincount(line_of, weights=amount, minlength=n)).astype(np.int64),
        }
    )
    return frame, summary
