"""Consent and email: the preference-centre records that grant or withdraw consent, and the email
campaigns sent to consenting people with what they did with them (opens, clicks, unsubscribes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xsignals_dagster.demo.draws import (
    keep,
    pick,
    pick_per_row,
    row_cumulative,
    seconds_of_day,
    spell_booleans,
)
from xsignals_dagster.demo.intent import Intent
from xsignals_dagster.demo.reference import CATEGORIES, EMAIL_CAMPAIGN_WEEKDAYS, HQ_UTC_OFFSET, NEVER, ONE_DAY
from xsignals_dagster.demo.typos import retype_emails
from xsignals_dagster.demo.world import World


@dataclass(frozen=True)
class Consent:
    """When each person's email and push consent hold (epoch seconds; NEVER: not granted / not withdrawn)."""

    email_from: np.ndarray
    email_until: np.ndarray
    push_from: np.ndarray
    marketing_email: np.ndarray  # the address campaigns go to, as the person typed it


def choose_identifier(
    rng: np.random.Generator, world: World, person: np.ndarray, ts: np.ndarray, weights
) -> np.ndarray:
    """Which key a person gives: 0 email, 1 account_id, 2 loyalty_id (3 phone), among those they
    hold at `ts`."""
    available = np.column_stack(
        [
            np.ones(len(person), dtype=bool),
            world.column("account_since")[person] <= ts,
            world.column("loyalty_since")[person] <= ts,
            pd.notna(world.column("roster_phone")[person]),
        ]
    )[:, : len(weights)]
    return pick_per_row(rng, row_cumulative(available * np.asarray(weights)))


def build_preferences(rng: np.random.Generator, world: World) -> tuple[pd.DataFrame, Consent]:
    """Preference-centre rows (a backfill of earlier ones on day one, then new ones) and the consent
    they grant."""
    cal, people = world.cal, world.people
    n = len(people)
    offset = world.column("offset")
    window_end = cal.start_epoch + cal.days * ONE_DAY

    def in_window() -> np.ndarray:
        return cal.utc(rng.integers(0, cal.days, n), seconds_of_day(rng, "web", n), offset)

    submits = rng.random(n) < 0.72
    first_ts = np.where(
        rng.random(n) < 0.6, cal.start_epoch - rng.integers(3600, 365 * ONE_DAY, n), in_window()
    )
    changes = submits & (rng.random(n) < 0.1)
    after_first = np.maximum(first_ts, cal.start_epoch)
    change_ts = after_first + (rng.random(n) * (window_end - after_first)).astype(np.int64)
    withdraws_email = changes & world.column("consent_email") & (rng.random(n) < 0.5)
    toggles_personalization = changes & (rng.random(n) < 0.3)
    surveys = rng.random(n) < 0.05

    kind = np.repeat(["first", "change", "survey"], [submits.sum(), changes.sum(), surveys.sum()])
    person = np.r_[np.flatnonzero(submits), np.flatnonzero(changes), np.flatnonzero(surveys)]
    ts = np.r_[first_ts[submits], change_ts[changes], in_window()[surveys]]
    first, change = kind == "first", kind == "change"
    key = choose_identifier(rng, world, person, ts, (0.5, 0.3, 0.2))
    registered_email = np.where(
        key == 2, world.column("loyalty_email")[person], world.column("email")[person]
    )

    consents = {
        name: world.column(f"consent_{name}")[person]
        for name in ("email", "push", "sms", "location", "personalization")
    }
    consents["email"] = np.where(change, False, consents["email"])
    consents["personalization"] = np.where(change, ~consents["personalization"], consents["personalization"])
    known = {name: first for name in consents}
    known["email"] = first | (change & withdraws_email[person])
    known["personalization"] = first | (change & toggles_personalization[person])
    preferred = np.select(
        [
            consents["email"] & (rng.random(len(person)) < 0.6),
            consents["push"],
            consents["sms"],
            rng.random(len(person)) < 0.1,
        ],
        ["email", "push", "sms", "post"],
        "none",
    )
    frame = pd.DataFrame(
        {
            "_day": np.maximum(cal.day_of(ts, offset[person]), 0),
            "_person": person,
            "_offset": offset[person],
            "ts": ts,
            "email": keep(
                retype_emails(rng, registered_email),
                (key == 0) | ((key == 1) & (rng.random(len(person)) < 0.2)),
            ),
            "account_id": keep(world.column("account_id")[person], key == 1),
            "loyalty_id": keep(world.column("loyalty_id")[person], key == 2),
            "preferred_channel": keep(preferred, first),
            "interests": keep(
                world.column("top_categories")[person],
                (first & (rng.random(len(person)) < 0.7)) | (kind == "survey"),
            ),
            **{f"consent_{name}": spell_booleans(rng, consents[name], known[name]) for name in consents},
        }
    )
    marketing = np.array(world.column("email"), dtype=object)
    first_rows = np.flatnonzero(first)
    marketing[person[first_rows]] = registered_email[first_rows]
    consent = Consent(
        email_from=np.where(submits & world.column("consent_email"), first_ts, NEVER),
        email_until=np.where(withdraws_email, change_ts, NEVER),
        push_from=np.where(submits & world.column("consent_push"), first_ts, NEVER),
        marketing_email=retype_emails(rng, marketing),
    )
    return frame, consent


def interested_in(
    world: World, intent: Intent, person: np.ndarray, day: np.ndarray, category: np.ndarray
) -> np.ndarray:
    """In market for this category on this day."""
    focus = intent.focus[person, day]
    return (focus >= 0) & (world.catalog.category[np.maximum(focus, 0)] == category)


def build_email(
    rng: np.random.Generator, world: World, intent: Intent, consent: Consent
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Campaign sends to consenting people and what they did with them; also the clicks, which open
    web sessions."""
    cal, catalog = world.cal, world.catalog
    n = len(world.people)
    everyone = np.arange(n)
    open_rate = world.column("open_rate")
    dead_address = rng.random(n) < 0.02
    reachable = np.ones(n, dtype=bool)  # not unsubscribed, complained or hard-bounced yet
    parts = []
    for day in np.flatnonzero(np.isin(cal.weekdays()[: cal.days], EMAIL_CAMPAIGN_WEEKDAYS)):
        category = pick(rng, CATEGORIES["popularity"], 1)
        product = catalog.in_category(rng, category)[0]
        campaign = f"em-{cal.dates(day)}-{CATEGORIES['category'][category[0]]}"
        send = cal.utc(day, 10 * 3600 + rng.integers(0, 3600, n), HQ_UTC_OFFSET)
        sent = (
            reachable & (consent.email_from <= send) & (send < consent.email_until) & (rng.random(n) < 0.75)
        )
        bounced = sent & (dead_address | (rng.random(n) < 0.005))
        delivered = sent & ~bounced
        interested = interested_in(world, intent, everyone, np.full(n, day), category[0])
        opened = delivered & (rng.random(n) < np.where(interested, np.minimum(2 * open_rate, 0.9), open_rate))
        clicked = opened & (rng.random(n) < np.where(interested, 0.45, 0.12))
        unsubscribed = opened & ~clicked & (rng.random(n) < 0.02)
        complained = delivered & ~opened & (rng.random(n) < 0.001)
        reachable &= ~(unsubscribed | complained | (bounced & dead_address))
        open_at = send + 60 + rng.exponential(3 * 3600, n).astype(np.int64)
        click_at = open_at + 5 + rng.exponential(120, n).astype(np.int64)
        product_link = rng.random(n) < 0.7
        link = np.where(
            product_link,
            f"https://shop.example.com/p/{catalog.product_id[product]}?utm_source=email&utm_campaign={campaign}",
            f"https://shop.example.com/c/{CATEGORIES['category'][category[0]]}?utm_source=email&utm_campaign={campaign}",
        )
        for event_type, happened, ts in (
            ("sent", sent, send),
            ("delivered", delivered, send + rng.integers(1, 60, n)),
            ("bounce", bounced, send + rng.integers(1, 600, n)),
            ("open", opened, open_at),
            ("click", clicked, click_at),
            ("unsubscribe", unsubscribed, click_at + 30),
            ("complaint", complained, send + rng.integers(3600, 2 * ONE_DAY, n)),
        ):
            rows = np.flatnonzero(happened)
            is_click = event_type == "click"
            parts.append(
                pd.DataFrame(
                    {
                        "_person": rows,
                        "ts": ts[rows],
                        "event_type": event_type,
                        "campaign_id": campaign,
                        "product_id": keep(
                            np.full(len(rows), catalog.product_id[product]), is_click & product_link[rows]
                        ),
                        "link_url": keep(link[rows], np.full(len(rows), is_click)),
                        "_product": np.where(product_link[rows], product, -1),
                    }
                )
            )
    events = pd.concat(parts, ignore_index=True)
    events["_day"] = cal.day_of(events["ts"].to_numpy(), HQ_UTC_OFFSET)
    events = events[events["_day"] < cal.days].reset_index(drop=True)
    person = events["_person"].to_numpy()
    events["_offset"] = HQ_UTC_OFFSET
    events["email"] = consent.marketing_email[person]

    clicks = events[events["event_type"] == "click"]
    click_person = clicks["_person"].to_numpy()
    local_offset = world.column("offset")[click_person]
    click_day = cal.day_of(clicks["ts"].to_numpy(), local_offset)
    landed = click_day < cal.days
    click_sessions = pd.DataFrame(
        {
            "person": click_person[landed],
            "day": click_day[landed],
            "start": (clicks["ts"].to_numpy() + local_offset * 3600 - cal.start_epoch - click_day * ONE_DAY)[
                landed
            ]
            + 20,
            "target": clicks["_product"].to_numpy()[landed],
            "utm_campaign": clicks["campaign_id"].to_numpy()[landed],
        }
    )
    return events.drop(columns="_product"), click_sessions
