"""Rosters: the daily delta files of online accounts and loyalty cards, with each system's own way of
writing a person's name, birth date, phone and address.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xsignals_dagster.demo.draws import cumsum_within, keep, seconds_of_day
from xsignals_dagster.demo.reference import CITIES, NEVER, NICKNAMES, ONE_DAY
from xsignals_dagster.demo.typos import misspell, retype_emails, write_phones, written_street
from xsignals_dagster.demo.world import World


def typed_profiles(
    rng: np.random.Generator, world: World, person: np.ndarray, missing_dob: float
) -> dict[str, np.ndarray]:
    """Names, birth date and phone as one system holds them, with the slips people and staff make
    typing them."""
    n = len(person)
    u = rng.random((n, 8))
    first_names, last_names = [], []
    for first, last, (nickname, typo, which, where, how, letter, swap, shout) in zip(
        world.column("first_name")[person], world.column("last_name")[person], u, strict=False
    ):
        if nickname < 0.08 and first in NICKNAMES:
            first = NICKNAMES[first][int(which * len(NICKNAMES[first]))]
        if typo < 0.05:
            if which < 0.5:
                first = misspell(first, where, how, letter)
            else:
                last = misspell(last, where, how, letter)
        if swap < 0.01:
            first, last = last, first
        first_names.append(first)
        last_names.append(last.upper() if shout < 0.03 else last)
    birth = pd.DatetimeIndex(world.column("birth")[person])
    swapped = (
        (rng.random(n) < 0.025) & (birth.day <= 12) & (birth.day != birth.month)
    )  # ~1% of all: only these can swap
    date_of_birth = np.where(
        swapped,
        [f"{y:04d}-{d:02d}-{m:02d}" for y, m, d in zip(birth.year, birth.month, birth.day, strict=False)],
        np.datetime_as_string(birth.to_numpy().astype("datetime64[D]"), unit="D"),
    )
    phone = keep(world.column("roster_phone")[person], rng.random(n) >= 0.12)
    return {
        # a form or a till that took the surname only ("Mr Okafor")
        "first_name": keep(np.array(first_names, dtype=object), rng.random(n) >= 0.03),
        "last_name": np.array(last_names, dtype=object),
        "date_of_birth": keep(date_of_birth, rng.random(n) >= missing_dob),
        "phone": write_phones(rng, phone),
    }


def written_addresses(
    world: World, person: np.ndarray, prefix: str, style: np.ndarray
) -> dict[str, np.ndarray]:
    """Street, city, postcode and state of a person's household as one record writes them."""
    household = world.households.iloc[world.column("household")[person]]
    city = household[f"{prefix}city"].to_numpy()
    return {
        "street": np.array(
            [
                written_street(*parts)
                for parts in zip(
                    household[f"{prefix}number"],
                    household[f"{prefix}street_name"],
                    household[f"{prefix}suffix"],
                    household[f"{prefix}unit"],
                    style,
                    strict=False,
                )
            ],
            dtype=object,
        ),
        "city": np.where(
            style > 0.96,
            np.strings.upper(CITIES["city"].to_numpy()[city].astype(str)),
            CITIES["city"].to_numpy()[city],
        ),
        "postcode": household[f"{prefix}postcode"].to_numpy(),
        "state": CITIES["state"].to_numpy()[city],
    }


def roster(
    rng: np.random.Generator,
    world: World,
    person: np.ndarray,
    key: np.ndarray,
    since: np.ndarray,
    email: np.ndarray,
    missing_dob: float,
    points: pd.DataFrame | None,
) -> pd.DataFrame:
    """Versions of roster records: creation (earlier ones backfilled on day one), then moves, email changes,
    phones added later and, for loyalty cards, points earned or lost at the till."""
    cal = world.cal
    n = len(person)
    offset = world.column("offset")[person]
    window_end = cal.start_epoch + cal.days * ONE_DAY
    profile = typed_profiles(rng, world, person, missing_dob)
    address_style = rng.random(n)
    before, after = (written_addresses(world, person, prefix, address_style) for prefix in ("", "new_"))

    moved_day = world.households["moved_day"].to_numpy()[world.column("household")[person]]
    move_at = np.where(
        moved_day >= 0,
        cal.utc(moved_day + rng.integers(0, 10, n), seconds_of_day(rng, "web", n), offset),
        NEVER,
    )
    second_email = world.column("second_email")[person]
    other_email = np.where(
        email == world.column("email")[person], second_email, world.column("email")[person]
    )
    email_at = np.where(
        pd.notna(second_email) & (rng.random(n) < 0.03),
        since + (rng.random(n) * (window_end - since)).astype(np.int64),
        NEVER,
    )
    added_phone = write_phones(rng, world.column("roster_phone")[person])
    phone_at = np.where(
        pd.isna(profile["phone"]) & pd.notna(added_phone) & (rng.random(n) < 0.2),
        np.maximum(since, cal.start_epoch) + rng.integers(0, cal.days * ONE_DAY, n),
        NEVER,
    )
    base_ts = np.where(
        since < cal.start_epoch,
        since + (rng.random(n) * (cal.start_epoch - since)).astype(np.int64),
        since + rng.integers(0, 600, n),
    )

    record = [np.arange(n)]
    ts = [base_ts]
    for change_at in (move_at, email_at, phone_at):
        changed = np.flatnonzero((change_at > since) & (change_at < NEVER))
        record.append(changed)
        ts.append(change_at[changed])
    delta = [np.zeros(sum(len(r) for r in record), dtype=np.int64)]
    if points is not None:
        holder = pd.Index(key).get_indexer(points["loyalty_id"])
        record.append(holder)
        ts.append(points["utc"].to_numpy() + rng.integers(300, 5400, len(points)))
        delta.append(points["points"].to_numpy())
    record, ts, delta = np.concatenate(record), np.concatenate(ts), np.concatenate(delta)
    order = np.lexsort((ts, record))
    record, ts, delta = record[order], ts[order], delta[order]
    opening_balance = np.where(since < cal.start_epoch, rng.integers(0, 3000, n), 0)
    balance = np.maximum(opening_balance[record] + cumsum_within(delta, record), 0)

    moved = ts >= move_at[record]
    frame = pd.DataFrame(
        {
            "_day": np.maximum(cal.day_of(ts, offset[record]), 0),
            "_person": person[record],
            "_offset": offset[record],
            "key": key[record],
            "updated_at": ts,
            "first_name": profile["first_name"][record],
            "last_name": profile["last_name"][record],
            "email": np.where(
                ts >= email_at[record],
                retype_emails(rng, other_email)[record],
                retype_emails(rng, email)[record],
            ),
            "phone": np.where(ts >= phone_at[record], added_phone[record], profile["phone"][record]),
            "date_of_birth": profile["date_of_birth"][record],
            **{column: np.where(moved, after[column][record], before[column][record]) for column in before},
            "since": since[record],
            "balance": balance,
        }
    )
    return frame[frame["_day"] < cal.days].reset_index(drop=True)


def build_rosters(
    rng: np.random.Generator, world: World, transactions: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Daily delta files of online accounts and of loyalty cards (3% of members hold two)."""
    account_holder = np.flatnonzero(pd.notna(world.column("account_id")))
    accounts = roster(
        rng,
        world,
        account_holder,
        world.column("account_id")[account_holder],
        world.column("account_since")[account_holder],
        world.column("email")[account_holder],
        0.25,
        None,
    ).rename(columns={"key": "account_id", "since": "created_at"})

    member = np.flatnonzero(pd.notna(world.column("loyalty_id")))
    second = np.flatnonzero(pd.notna(world.column("second_loyalty_id")))
    second_email = world.column("second_email")[second]
    card_holder = np.r_[member, second]
    loyalty = roster(
        rng,
        world,
        card_holder,
        np.r_[world.column("loyalty_id")[member], world.column("second_loyalty_id")[second]],
        np.r_[world.column("loyalty_since")[member], world.column("second_loyalty_since")[second]],
        np.r_[
            world.column("loyalty_email")[member],
            np.where(pd.notna(second_email), second_email, world.column("email")[second]),
        ],
        0.1,
        transactions[transactions["loyalty_id"].notna()],
    ).rename(columns={"key": "loyalty_id", "since": "joined_at", "balance": "points_balance"})
    balance = loyalty["points_balance"].to_numpy()
    loyalty["tier"] = np.select(
        [balance >= 5000, balance >= 2000, balance >= 500], ["platinum", "gold", "silver"], "member"
    )
    return accounts, loyalty
