"""Web and app events: browsing sessions raised by purchase intent, the sessions online orders are
placed in, click-throughs from email, and push campaigns on the app.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xsignals_dagster.demo.campaigns import Consent, interested_in
from xsignals_dagster.demo.draws import (
    cumsum_within,
    draw_event_types,
    keep,
    numbered,
    pick,
    rank_within,
    seconds_of_day,
    take,
)
from xsignals_dagster.demo.identities import owned
from xsignals_dagster.demo.intent import Intent
from xsignals_dagster.demo.reference import (
    APP_BROWSING,
    APP_SCRIPTS,
    CATEGORIES,
    CATEGORY_PAGE_EVENTS,
    CITIES,
    HQ_UTC_OFFSET,
    IN_MARKET_BOOST,
    ONE_DAY,
    PRODUCT_EVENTS,
    PUSH_CAMPAIGN_WEEKDAYS,
    UTM,
    WEB_BROWSING,
    WEB_SCRIPTS,
    WEEKDAY_ACTIVITY,
    Script,
)
from xsignals_dagster.demo.world import World


def activity_sessions(rng: np.random.Generator, world: World, intent: Intent, channel: str) -> pd.DataFrame:
    """Sessions (or store visits) per person and landed day: a Poisson count, raised while in market."""
    cal = world.cal
    rate = world.column(f"{channel}_rate")[:, None] * (
        1 + IN_MARKET_BOOST[channel] * intent.in_market[:, : cal.days]
    )
    rate *= np.asarray(WEEKDAY_ACTIVITY[channel])[cal.weekdays()[: cal.days]]
    counts = rng.poisson(rate)
    person, day = np.nonzero(counts)
    repeats = counts[person, day]
    person, day = np.repeat(person, repeats), np.repeat(day, repeats)
    return pd.DataFrame({"person": person, "day": day, "start": seconds_of_day(rng, channel, len(person))})


def session_events(
    rng: np.random.Generator,
    world: World,
    intent: Intent,
    sessions: pd.DataFrame,
    scripts: dict[str, Script],
    browsing: dict,
) -> pd.DataFrame:
    """Expand sessions (person, day, start, kind, target) into their events in time order."""
    catalog = world.catalog
    person, day = sessions["person"].to_numpy(), sessions["day"].to_numpy()
    in_market = intent.in_market[person, day]
    kind = pd.Categorical(sessions["kind"], categories=list(scripts)).codes
    mean_browsing = np.array([script.browsing for script in scripts.values()])
    browse_count = rng.poisson(mean_browsing[kind, in_market.astype(int)])
    session = [np.repeat(np.arange(len(sessions)), browse_count)]
    position = [rank_within(session[0])]
    event_type = [draw_event_types(rng, browsing, in_market[session[0]])]
    scripted = [np.zeros(len(session[0]), dtype=bool)]
    for code, script in enumerate(scripts.values()):
        members = np.flatnonzero(kind == code)
        steps = [(step - len(script.opening), name) for step, name in enumerate(script.opening)]
        steps += [(browse_count[members] + step, name) for step, name in enumerate(script.closing)]
        for step_position, name in steps:
            session.append(members)
            position.append(np.broadcast_to(step_position, len(members)))
            event_type.append(np.full(len(members), name))
            scripted.append(np.ones(len(members), dtype=bool))
    session, position, event_type, scripted = (
        np.concatenate(part) for part in (session, position, event_type, scripted)
    )
    order = np.lexsort((position, session))
    session, event_type, scripted = session[order], event_type[order], scripted[order]
    n = len(session)

    category, product = world.interests(
        rng, person[session], intent.focus[person[session], day[session]], 0.75, 0.5
    )
    target = sessions["target"].to_numpy()[session]
    use_target = scripted & (target >= 0)
    product = np.where(use_target, target, product)
    category = np.where(use_target, catalog.category[np.maximum(target, 0)], category)
    is_product = np.isin(event_type, PRODUCT_EVENTS)
    shows_category = is_product | (np.isin(event_type, CATEGORY_PAGE_EVENTS) & (rng.random(n) < 0.5))
    terms = CATEGORIES["searches"].str.split("|").to_numpy()
    term = (rng.random(n) * np.array([len(t) for t in terms])[category]).astype(int)
    searching = event_type == "search"
    gaps = rng.exponential(50, n) + 2
    gaps[rank_within(session) == 0] = 0
    return pd.DataFrame(
        {
            "session": session,
            "event_type": event_type,
            "product": np.where(is_product, product, -1),
            "category": np.where(shows_category, category, -1),
            "search_query": [
                terms[c][t] if s else None for c, t, s in zip(category, term, searching, strict=False)
            ],
            "seconds": np.minimum(
                sessions["start"].to_numpy()[session] + cumsum_within(gaps, session).astype(np.int64),
                ONE_DAY - 1,
            ),
        }
    )


def event_frame(
    world: World, sessions: pd.DataFrame, events: pd.DataFrame, orders: pd.DataFrame, order_prefix: str
) -> dict:
    """The columns web and app events share, one row per event."""
    cal, catalog = world.cal, world.catalog
    s = events["session"].to_numpy()
    person = sessions["person"].to_numpy()[s]
    day = sessions["day"].to_numpy()[s]
    offset = world.column("offset")[person]
    purchase = events["event_type"].to_numpy() == "purchase"
    order = np.maximum(sessions["order"].to_numpy()[s], 0)
    revenue = np.full(len(s), np.nan)
    revenue[purchase] = orders["revenue"].to_numpy()[order[purchase]]  # a zone may have sessions but no order
    return {
        "_day": day,
        "_person": person,
        "_offset": offset,
        "ts": cal.utc(day, events["seconds"].to_numpy(), offset),
        "event_type": events["event_type"].to_numpy(),
        "account_id": keep(world.column("account_id")[person], sessions["logged_in"].to_numpy()[s]),
        "product_id": take(catalog.product_id, events["product"].to_numpy()),
        "category": take(CATEGORIES["category"].to_numpy(), events["category"].to_numpy()),
        "search_query": events["search_query"].to_numpy(),
        "order_id": keep(numbered(order_prefix, order + 1, 8), purchase),
        "revenue": revenue,
    }


def order_sessions(rng: np.random.Generator, orders: pd.DataFrame, channel: str, days: int) -> pd.DataFrame:
    """The session each online order was placed in, starting a few minutes before it."""
    placed = orders[(orders["channel"] == channel) & (orders["day"] < days)]
    return pd.DataFrame(
        {
            "person": placed["person"].to_numpy(),
            "day": placed["day"].to_numpy(),
            "start": np.maximum(placed["seconds"].to_numpy() - rng.integers(60, 900, len(placed)), 0),
            "kind": "purchase",
            "target": placed["product"].to_numpy(),
            "order": placed.index.to_numpy(),
        }
    )


def build_web(
    rng, world: World, intent: Intent, orders: pd.DataFrame, clicks: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Web analytics events; also the click-and-collect orders to be picked up in store."""
    cal = world.cal
    browse = activity_sessions(rng, world, intent, "web").assign(kind="browse", target=-1, order=-1)
    purchases = order_sessions(rng, orders, "web", cal.days)
    sessions = pd.concat([browse, purchases, clicks.assign(kind="email_click", order=-1)], ignore_index=True)
    n = len(sessions)
    person, day, kind = sessions["person"].to_numpy(), sessions["day"].to_numpy(), sessions["kind"].to_numpy()
    utm = pick(rng, UTM["weight"], n)
    sessions["utm_source"] = np.where(kind == "email_click", "email", UTM["utm_source"].to_numpy()[utm])
    sessions["utm_campaign"] = np.where(
        kind == "email_click",
        sessions["utm_campaign"].to_numpy(dtype=object),
        UTM["utm_campaign"].to_numpy()[utm],
    )
    start_utc = cal.utc(day, sessions["start"].to_numpy(), world.column("offset")[person])
    web_login = world.column("web_login")[person]
    login_chance = np.where(kind == "purchase", np.minimum(web_login + 0.5, 1.0), web_login)
    sessions["logged_in"] = (world.column("account_since")[person] <= start_utc) & (
        rng.random(n) < login_chance
    )
    shares_email = sessions["logged_in"].to_numpy() & (rng.random(n) < 0.4)
    cookie = owned(world.cookies["person"].to_numpy(), person, rng, 0.6)
    city_names = CITIES["city"].to_numpy()
    city = np.where(
        rng.random(n) < 0.9,
        city_names[world.column("city")[person]],
        city_names[pick(rng, CITIES["weight"], n)],
    )

    events = session_events(rng, world, intent, sessions, WEB_SCRIPTS, WEB_BROWSING)
    s = events["session"].to_numpy()
    columns = event_frame(world, sessions, events, orders, "WO")
    guest_checkout = (columns["event_type"] == "purchase") & ~sessions["logged_in"].to_numpy()[s]
    frame = pd.DataFrame(
        {
            **columns,
            "cookie_id": world.cookies["cookie_id"].to_numpy()[cookie[s]],
            "email": keep(world.column("email")[person[s]], shares_email[s] | guest_checkout),
            "device_type": world.cookies["device_type"].to_numpy()[cookie[s]],
            "city": city[s],
            "utm_source": keep(
                sessions["utm_source"].to_numpy()[s], sessions["utm_source"].to_numpy()[s] != ""
            ),
            "utm_campaign": keep(
                sessions["utm_campaign"].to_numpy()[s], sessions["utm_campaign"].to_numpy()[s] != ""
            ),
        }
    )
    collect = rng.random(len(purchases)) < 0.15 * (
        world.column("store_reach")[purchases["person"].to_numpy()] >= 0.35
    )
    picked_up = orders.loc[purchases["order"].to_numpy()[collect]]
    pickups = pd.DataFrame(
        {
            "person": picked_up["person"].to_numpy(),
            "day": picked_up["day"].to_numpy() + 1 + rng.poisson(1.0, len(picked_up)),
            "store": picked_up["store"].to_numpy(),
            "target": picked_up["product"].to_numpy(),
        }
    )
    return frame, pickups


def push_events(rng: np.random.Generator, world: World, intent: Intent, consent: Consent) -> pd.DataFrame:
    """Push campaigns to the phones of people who allowed push, and the opens they get."""
    cal = world.cal
    phones = world.devices[world.devices["personal"].to_numpy(dtype=bool)]
    days = np.flatnonzero(np.isin(cal.weekdays()[: cal.days], PUSH_CAMPAIGN_WEEKDAYS))
    category = pick(rng, CATEGORIES["popularity"], len(days))
    campaign = np.strings.add(
        np.strings.add("push-", cal.dates(days)),
        np.strings.add("-", CATEGORIES["category"].to_numpy()[category].astype(str)),
    )
    device = np.tile(np.arange(len(phones)), len(days))
    campaign_index = np.repeat(np.arange(len(days)), len(phones))
    day = days[campaign_index]
    person = phones["person"].to_numpy()[device]
    offset = world.column("offset")[person]
    send = cal.utc(day, 18 * 3600 + rng.integers(0, 900, len(device)), HQ_UTC_OFFSET)
    received = (consent.push_from[person] <= send) & (rng.random(len(device)) < 0.8 * 0.95)
    interested = interested_in(world, intent, person, day, category[campaign_index])
    opened = received & (rng.random(len(device)) < np.where(interested, 0.25, 0.07))
    opened_at = send + 30 + rng.exponential(1800, len(device)).astype(np.int64)
    rows = np.r_[np.flatnonzero(received), np.flatnonzero(opened)]
    ts = np.r_[send[received], opened_at[opened]]
    logged_in = phones["logged_in"].to_numpy(dtype=bool)[device[rows]] & (
        world.column("account_since")[person[rows]] <= ts
    )
    frame = pd.DataFrame(
        {
            "_day": cal.day_of(ts, offset[rows]),
            "_person": person[rows],
            "_offset": offset[rows],
            "ts": ts,
            "device_id": phones["device_id"].to_numpy()[device[rows]],
            "event_type": np.repeat(["push_received", "push_open"], [received.sum(), opened.sum()]),
            "account_id": keep(world.column("account_id")[person[rows]], logged_in),
            "os": phones["os"].to_numpy()[device[rows]],
            "push_campaign_id": campaign[campaign_index[rows]],
        }
    )
    return frame[frame["_day"] < cal.days]


def build_app(rng, world: World, intent: Intent, orders: pd.DataFrame, consent: Consent) -> pd.DataFrame:
    """App events: sessions on phones and family tablets (mostly logged in), purchases and pushes."""
    cal = world.cal
    browse = activity_sessions(rng, world, intent, "app").assign(kind="browse", target=-1, order=-1)
    sessions = pd.concat([browse, order_sessions(rng, orders, "app", cal.days)], ignore_index=True)
    n = len(sessions)
    person, day = sessions["person"].to_numpy(), sessions["day"].to_numpy()
    device = owned(world.devices["person"].to_numpy(), person, rng, 0.7)
    start_utc = cal.utc(day, sessions["start"].to_numpy(), world.column("offset")[person])
    sessions["logged_in"] = world.devices["logged_in"].to_numpy(dtype=bool)[device] & (
        world.column("account_since")[person] <= start_utc
    )
    located = world.column("consent_location")[person] & (rng.random(n) < 0.6)
    city = world.column("city")[person]
    latitude = np.where(located, np.round(CITIES["lat"].to_numpy()[city] + rng.normal(0, 0.04, n), 5), np.nan)
    longitude = np.where(
        located, np.round(CITIES["lon"].to_numpy()[city] + rng.normal(0, 0.05, n), 5), np.nan
    )

    events = session_events(rng, world, intent, sessions, APP_SCRIPTS, APP_BROWSING)
    s = events["session"].to_numpy()
    frame = pd.DataFrame(
        {
            **event_frame(world, sessions, events, orders, "MO"),
            "device_id": world.devices["device_id"].to_numpy()[device[s]],
            "os": world.devices["os"].to_numpy()[device[s]],
            "latitude": latitude[s],
            "longitude": longitude[s],
        }
    )
    return pd.concat([frame, push_events(rng, world, intent, consent)], ignore_index=True)
