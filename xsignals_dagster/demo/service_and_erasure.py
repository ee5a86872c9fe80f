"""Service contacts (questions after orders, before returns, and now and then) and requests to be
forgotten, each naming one identifier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xsignals_dagster.demo.campaigns import choose_identifier
from xsignals_dagster.demo.draws import keep, pick, seconds_of_day, spell_booleans
from xsignals_dagster.demo.intent import Intent
from xsignals_dagster.demo.reference import SERVICE_CHANNELS, SERVICE_REASONS
from xsignals_dagster.demo.rosters import typed_profiles
from xsignals_dagster.demo.store_and_pos import either_email
from xsignals_dagster.demo.typos import retype_emails, write_phones
from xsignals_dagster.demo.world import World


def build_service(
    rng, world: World, intent: Intent, orders: pd.DataFrame, transactions: pd.DataFrame
) -> pd.DataFrame:
    """Service contacts: questions after online orders, before returns, and now and then (more when
    in market)."""
    cal = world.cal
    online = orders[orders["channel"].isin(["web", "app"]) & (orders["day"] < cal.days)]
    online = online[rng.random(len(online)) < 0.06]
    returns = transactions[transactions["is_return"]]
    returns = returns[rng.random(len(returns)) < 0.25]
    background = rng.poisson(0.0015 * (1 + 1.5 * intent.in_market[:, : cal.days]))
    quiet_person, quiet_day = np.nonzero(background)
    in_market = intent.in_market[quiet_person, quiet_day]
    reason_names = SERVICE_REASONS["reason"].to_numpy()
    quiet_reason = np.where(
        in_market,
        reason_names[pick(rng, SERVICE_REASONS["share_in"], len(quiet_person))],
        reason_names[pick(rng, SERVICE_REASONS["share_out"], len(quiet_person))],
    )
    person = np.r_[online["person"].to_numpy(), returns["person"].to_numpy(), quiet_person]
    day = np.r_[
        online["day"].to_numpy() + rng.integers(1, 5, len(online)),
        returns["day"].to_numpy() - rng.integers(0, 3, len(returns)),
        quiet_day,
    ]
    reason = np.r_[np.full(len(online), "order_status"), np.full(len(returns), "return"), quiet_reason]
    landed = (day >= 0) & (day < cal.days)
    person, day, reason = person[landed], day[landed], reason[landed]
    n = len(person)

    channel = pick(rng, SERVICE_CHANNELS["share"], n)
    records = {
        column: rng.random(n) < SERVICE_CHANNELS[column].to_numpy()[channel]
        for column in ("names", "email", "phone", "account_id", "loyalty_id")
    }
    profile = typed_profiles(rng, world, person, 1.0)
    email = either_email(rng, world, person)
    reason_index = pd.Index(reason_names).get_indexer(reason)
    sentiment = np.clip(
        np.round(rng.normal(SERVICE_REASONS["sentiment"].to_numpy()[reason_index], 0.35), 2), -1, 1
    )
    csat = np.clip(np.round(3 + 2 * sentiment + rng.normal(0, 0.7, n)), 1, 5).astype(int)
    offset = world.column("offset")[person]
    return pd.DataFrame(
        {
            "_day": day,
            "_person": person,
            "_offset": offset,
            "ts": cal.utc(day, seconds_of_day(rng, "service", n), offset),
            "channel": SERVICE_CHANNELS["channel"].to_numpy()[channel],
            "first_name": keep(profile["first_name"], records["names"]),
            "last_name": keep(profile["last_name"], records["names"]),
            "email": keep(retype_emails(rng, email), records["email"]),
            "phone": keep(profile["phone"], records["phone"]),
            "account_id": keep(world.column("account_id")[person], records["account_id"]),
            "loyalty_id": keep(world.column("loyalty_id")[person], records["loyalty_id"]),
            "reason": reason,
            "sentiment": sentiment,
            "csat": keep(csat, rng.random(n) < 0.6),  # most people skip the survey
            "resolved": spell_booleans(
                rng,
                rng.random(n) < SERVICE_REASONS["resolved"].to_numpy()[reason_index],
                np.ones(n, dtype=bool),
            ),
        }
    )


def build_erasure(rng: np.random.Generator, world: World) -> tuple[pd.DataFrame, np.ndarray]:
    """A handful of requests to be forgotten, each naming one identifier; also the day each person
    asked (-1: never)."""
    cal = world.cal
    n = len(world.people)
    count = int(np.clip(round(n / 2500), 1, 8))
    person = np.sort(rng.choice(n, min(count, n), replace=False))
    day = rng.integers(cal.days // 3, cal.days, len(person))
    offset = world.column("offset")[person]
    ts = cal.utc(day, seconds_of_day(rng, "service", len(person)), offset)
    key = choose_identifier(rng, world, person, ts, (0.5, 0.2, 0.15, 0.15))
    frame = pd.DataFrame(
        {
            "_day": day,
            "_person": person,
            "_offset": offset,
            "ts": ts,
            "email": keep(retype_emails(rng, world.column("email")[person]), key == 0),
            "account_id": keep(world.column("account_id")[person], key == 1),
            "loyalty_id": keep(world.column("loyalty_id")[person], key == 2),
            "phone": keep(write_phones(rng, world.column("roster_phone")[person]), key == 3),
        }
    )
    requested_on = np.full(n, -1)
    requested_on[person] = day
    return frame, requested_on
