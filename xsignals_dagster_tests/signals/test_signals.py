"""Signals against hand-computed values, point in time, location consent and the seeds' journey."""

from __future__ import annotations

import pandas as pd
import pytest

from xsignals_dagster.contract.vocabularies import PERSON_COLUMNS
from xsignals_dagster.signals.profile import SIGNAL_TYPES, build_profile, compute_signals
from xsignals_dagster_tests.signals.fixtures import source_frames

AS_OF = pd.Timestamp("2026-03-01 00:00")


def at(days_before: float, hour: int = 0) -> pd.Timestamp:
    """A time `days_before` days before AS_OF, at `hour` o'clock (AS_OF is a Sunday midnight)."""
    return AS_OF - pd.Timedelta(days=days_before) + pd.Timedelta(hours=hour)


def web(customer, ts, event_type, **values):
    return {
        "customer": customer,
        "ts": ts,
        "cookie_id": f"cookie-{customer}",
        "event_type": event_type,
        **values,
    }


def app(customer, ts, event_type, **values):
    return {
        "customer": customer,
        "ts": ts,
        "device_id": f"device-{customer}",
        "event_type": event_type,
        **values,
    }


def store(customer, ts, event_type, **values):
    return {"customer": customer, "ts": ts, "store_id": "S1", "event_type": event_type, **values}


def pos(customer, ts, transaction_id, line_no, amount, **values):
    return {
        "customer": customer,
        "ts": ts,
        "store_id": "S1",
        "transaction_id": transaction_id,
        "line_no": line_no,
        "amount": amount,
        **values,
    }


def email(customer, ts, event_type):
    return {"customer": customer, "ts": ts, "email": f"{customer}@example.com", "event_type": event_type}


def preference(customer, ts, **values):
    return {"customer": customer, "ts": ts, "email": f"{customer}@example.com", **values}


def seeds_example(customer: str = "ada", start: float = 10) -> dict[str, list[dict]]:
    """The seeds' story: shoes viewed on the web, tried on in store, bought in the app."""
    return {
        "web": [web(customer, at(start, 10), "product_view", product_id="P", category="footwear")],
        "store": [store(customer, at(start - 2, 15), "try_on", product_id="P", category="footwear")],
        "app": [
            app(
                customer,
                at(start - 4, 20),
                "purchase",
                product_id="P",
                category="footwear",
                order_id="O1",
                revenue=120.0,
            )
        ],
    }


@pytest.fixture
def shopper() -> dict[str, list[dict]]:
    """One customer, `bo`, with hand-countable activity on every channel."""
    return {
        "web": [
            # three events today-ish: 10:00 and 10:20 are one session, 11:00 starts another
            web(
                "bo",
                at(3, 10),
                "product_view",
                product_id="P1",
                category="footwear",
                device_type="mobile",
                city="Boston",
            ),
            web(
                "bo",
                at(3, 10) + pd.Timedelta(minutes=20),
                "product_view",
                product_id="P2",
                category="footwear",
                device_type="mobile",
                city="Boston",
            ),
            web("bo", at(3, 11), "search", search_query="boots", device_type="desktop", city="Salem"),
            web("bo", at(20, 14), "product_view", product_id="P3", category="kitchen", device_type="desktop"),
            web("bo", at(60, 14), "add_to_cart", product_id="P3", category="kitchen", device_type="desktop"),
            web("bo", at(100, 14), "product_view", product_id="P9", category="toys", device_type="tablet"),
            # one order whose purchase event was sent twice
            web("bo", at(5, 19), "purchase", order_id="W1", revenue=100.0, device_type="desktop"),
            web(
                "bo",
                at(5, 19) + pd.Timedelta(seconds=5),
                "purchase",
                order_id="W1",
                revenue=100.0,
                device_type="desktop",
            ),
        ],
        "app": [
            app("bo", at(2, 20), "push_received", os="ios"),
            app("bo", at(2, 21), "push_open", os="ios", latitude=42.3601, longitude=-71.0589),
            app("bo", at(40, 21), "push_received", os="ios"),
            app(
                "bo",
                at(45, 21),
                "wishlist_add",
                product_id="P1",
                category="footwear",
                os="android",
                latitude=42.3611,
                longitude=-71.0571,
            ),
        ],
        "store": [store("bo", at(1, 15), "store_visit")],
        "pos": [
            pos("bo", at(25, 12), "T1", 1, 50.0, product_id="P1", category="footwear"),
            pos("bo", at(25, 12), "T1", 2, 30.0, product_id="P3", category="kitchen"),
            pos("bo", at(10, 12), "T2", 1, -30.0, product_id="P3", category="kitchen"),
        ],
        "email": [email("bo", at(d, 8), "delivered") for d in (4, 6, 50, 70)]
        + [email("bo", at(4, 9), "open"), email("bo", at(50, 9), "open"), email("bo", at(4, 9), "click")],
        "service": [
            {
                "customer": "bo",
                "ts": at(12, 10),
                "channel": "chat",
                "sentiment": 0.5,
                "csat": 4,
                "resolved": True,
            },
            {
                "customer": "bo",
                "ts": at(80, 10),
                "channel": "phone",
                "sentiment": -0.1,
                "csat": 2,
                "resolved": False,
            },
        ],
        "preferences": [
            preference(
                "bo",
                at(90),
                consent_location=True,
                preferred_channel="push",
                interests=" Footwear;kitchen;;footwear",
            )
        ],
    }


def signals_of(rows: dict[str, list[dict]], as_of: pd.Timestamp = AS_OF) -> dict[str, pd.DataFrame]:
    frames, record_customers = source_frames(rows)
    return compute_signals(frames, record_customers, as_of)


def row(signals: dict[str, pd.DataFrame], kind: str, customer: str) -> pd.Series:
    return signals[kind].loc[customer]


def test_behavioral_counts_sessions_interest_and_recency(shopper):
    b = row(signals_of(shopper), "behavioral", "bo")
    assert (
        b["behavioral_web_product_views_7d"],
        b["behavioral_web_product_views_30d"],
        b["behavioral_web_product_views_90d"],
    ) == (2, 3, 3)
    assert (
        b["behavioral_web_searches_7d"],
        b["behavioral_web_add_to_carts_90d"],
        b["behavioral_app_wishlist_adds_90d"],
    ) == (1, 1, 1)
    assert b["behavioral_app_wishlist_adds_30d"] == 0
    # web: 10:00+10:20 / 11:00 / day 5 purchases / day 20 / day 60 / (day 100 outside 90d)
    assert (
        b["behavioral_web_sessions_7d"],
        b["behavioral_web_sessions_30d"],
        b["behavioral_web_sessions_90d"],
    ) == (
        3,
        4,
        5,
    )
    assert (b["behavioral_app_sessions_7d"], b["behavioral_app_sessions_90d"]) == (
        1,
        2,
    )  # push_received is not the customer's
    assert b["behavioral_top_category_90d"] == "footwear"
    assert b["behavioral_top_product_90d"] == "P1"  # P1 and P3 twice each: P1 seen last
    assert b["behavioral_distinct_products_viewed_90d"] == 3
    assert b["behavioral_days_since_last_web"] == pytest.approx(3 - 11 / 24)
    assert b["behavioral_days_since_last_app"] == pytest.approx(2 - 21 / 24)
    assert b["behavioral_days_since_last_store"] == pytest.approx(1 - 15 / 24)


def test_transactional_orders_returns_mix_and_rfm(shopper):
    t = row(signals_of(shopper), "transactional", "bo")
    assert (t["transactional_orders_all"], t["transactional_revenue_all"]) == (2, 180.0)
    assert (t["transactional_orders_30d"], t["transactional_orders_90d"]) == (2, 2)
    assert (t["transactional_returns_all"], t["transactional_returned_value_all"]) == (1, 30.0)
    assert t["transactional_aov_all"] == 90.0 and t["transactional_return_rate_all"] == 0.5
    assert (
        t["transactional_web_order_share"],
        t["transactional_app_order_share"],
        t["transactional_store_order_share"],
    ) == (0.5, 0.0, 0.5)
    assert t["transactional_net_revenue_all"] == 150.0
    assert t["transactional_days_since_last_purchase"] == pytest.approx(5 - 19 / 24)
    assert t["transactional_days_between_orders"] == pytest.approx((25 - 12 / 24) - (5 - 19 / 24))
    assert t["transactional_purchase_days"] == 2


def test_purchase_days_count_orders_of_one_day_once():
    """A store transaction and an app order on one day are two orders but one purchase
    occasion; a returns-only transaction is neither."""
    rows = {
        "pos": [
            pos("cy", at(12, 9), "T1", 1, 40.0),
            pos("cy", at(12, 17), "T2", 1, 15.0),
            pos("cy", at(6, 11), "T3", 1, -40.0),
        ],
        "app": [
            app("cy", at(12, 20), "purchase", order_id="O1", revenue=25.0),
            app("cy", at(3, 8), "app_open"),
        ],
        "web": [web("cy", at(4, 10), "purchase", order_id="O2", revenue=60.0)],
    }
    t = row(signals_of(rows), "transactional", "cy")
    assert (t["transactional_orders_all"], t["transactional_purchase_days"]) == (4, 2)


def test_engagement_rates_and_service(shopper):
    e = row(signals_of(shopper), "engagement", "bo")
    assert (
        e["engagement_email_delivered_30d"],
        e["engagement_email_opens_30d"],
        e["engagement_email_clicks_30d"],
    ) == (
        2,
        1,
        1,
    )
    assert (e["engagement_email_delivered_90d"], e["engagement_email_opens_90d"]) == (4, 2)
    assert e["engagement_email_open_rate_30d"] == 0.5 and e["engagement_email_click_rate_90d"] == 0.25
    assert (
        e["engagement_push_received_90d"],
        e["engagement_push_opens_90d"],
        e["engagement_push_open_rate_90d"],
    ) == (
        2,
        1,
        0.5,
    )
    assert (e["engagement_service_contacts_30d"], e["engagement_service_contacts_90d"]) == (1, 2)
    assert e["engagement_service_mean_sentiment"] == pytest.approx(0.2)
    assert e["engagement_service_mean_csat"] == 3.0 and e["engagement_service_unresolved_share"] == 0.5


def test_contextual_devices_stores_and_times(shopper):
    c = row(signals_of(shopper), "contextual", "bo")
    # web device types: mobile 2, desktop 5, tablet 1
    assert (c["contextual_web_mobile_share"], c["contextual_web_desktop_share"]) == (2 / 8, 5 / 8)
    assert (c["contextual_app_ios_share"], c["contextual_app_android_share"]) == (0.75, 0.25)
    assert (c["contextual_distinct_stores"], c["contextual_favourite_store"]) == (1, "S1")
    # own activity: 8 web, 2 app (push_open, wishlist), 1 store, 3 pos, 3 email, 2 service = 19
    assert c["contextual_morning_share"] == pytest.approx(8 / 19)  # 10h x3, 9h x3, 10h x2 service
    assert c["contextual_evening_share"] == pytest.approx(4 / 19)  # 19h x2, 21h x2
    assert c["contextual_night_share"] == 0.0


def test_preferences_stated_and_inferred(shopper):
    p = row(signals_of(shopper), "preference", "bo")
    assert p["preference_preferred_channel"] == "push"
    assert p["preference_interests"] == "footwear;kitchen"
    assert p["preference_consent_location"] and not p["preference_consent_email"]
    assert (
        p["preference_favourite_category"] == "footwear"
    )  # views P1, P2, sale line P1 against kitchen's view and line
    assert p["preference_favourite_channel"] == "web"  # active on 5 days, store on 3, app on 2


def test_journey_on_the_seeds_example():
    j = row(signals_of(seeds_example(start=10)), "journey", "ada")
    assert j["journey_researched_online_then_store"]
    assert j["journey_days_research_to_store"] == pytest.approx(2 + 5 / 24)
    assert j["journey_products_viewed_then_tried"] == 1
    assert j["journey_cross_channel_purchases"] == 1
    assert j["journey_multichannel_products"] == 1
    assert (j["journey_top_product"], j["journey_top_product_channels"]) == ("P", "web,app,store")
    assert (j["journey_channels_30d"], j["journey_channel_count_30d"]) == ("web,app,store", 3)
    assert j["journey_last_touch_channel"] == "app"


def test_journey_needs_the_order_of_events():
    """Tried on before viewing online, store before research, bought before seeing elsewhere."""
    rows = {
        "store": [store("cy", at(10, 12), "try_on", product_id="P")],
        "web": [web("cy", at(8, 12), "product_view", product_id="P")],
        "app": [app("cy", at(40, 12), "purchase", product_id="P", order_id="O", revenue=10.0)],
    }
    j = row(signals_of(rows), "journey", "cy")
    assert not j["journey_researched_online_then_store"] and pd.isna(j["journey_days_research_to_store"])
    assert (j["journey_products_viewed_then_tried"], j["journey_cross_channel_purchases"]) == (0, 0)
    assert (j["journey_multichannel_products"], j["journey_top_product_channels"]) == (1, "web,app,store")
    assert (j["journey_channels_30d"], j["journey_last_touch_channel"]) == ("web,store", "web")


def test_signals_are_point_in_time(shopper):
    """Anything dated after as_of, in every source and for a new customer, changes nothing."""
    later = {source: list(rows) for source, rows in shopper.items()}
    for customer in ("bo", "late"):
        for source, rows in seeds_example(customer, start=-5).items():
            later.setdefault(source, []).extend(rows)
    later["pos"].append(pos("bo", at(-1), "T9", 1, -80.0, product_id="P1"))
    later["email"] += [email("bo", at(-1), "delivered"), email("bo", at(-1), "unsubscribe")]
    later["service"].append({"customer": "bo", "ts": at(-2), "channel": "chat", "sentiment": -1.0, "csat": 1})
    later["preferences"].append(
        preference("bo", at(-1), consent_location=False, preferred_channel="sms", interests="toys")
    )
    later["loyalty"] = [{"customer": "late", "updated_at": at(-1), "joined_at": at(-1)}]
    before, after = signals_of(shopper), signals_of(later)
    assert "late" not in after["behavioral"].index
    for kind in SIGNAL_TYPES:
        pd.testing.assert_frame_equal(before[kind], after[kind])


def location_rows(*statements: tuple[float, bool]) -> dict[str, list[dict]]:
    return {
        "web": [web("di", at(5), "page_view", city="Boston"), web("di", at(4), "page_view", city="Salem")],
        "app": [app("di", at(3), "app_open", latitude=42.3601, longitude=-71.0589)],
        "preferences": [preference("di", at(days), consent_location=granted) for days, granted in statements],
    }


LOCATION_COLUMNS = ["contextual_distinct_cities", "contextual_top_city", "contextual_distinct_locations"]


def test_location_signals_only_with_consent():
    without = row(signals_of(location_rows()), "contextual", "di")
    assert without[LOCATION_COLUMNS].isna().all()
    assert without["contextual_night_share"] == 1.0  # the rest of the context is there
    granted = row(signals_of(location_rows((10, True))), "contextual", "di")
    assert (
        granted["contextual_distinct_cities"],
        granted["contextual_top_city"],
        granted["contextual_distinct_locations"],
    ) == (2, "Salem", 1)


def test_location_signals_vanish_after_withdrawal():
    rows = location_rows((10, True), (2, False))
    assert row(signals_of(rows, as_of=at(2.5)), "contextual", "di")["contextual_distinct_cities"] == 2
    assert row(signals_of(rows), "contextual", "di")[LOCATION_COLUMNS].isna().all()


def test_profile_has_every_customer_and_no_personal_data(shopper):
    rows = {**shopper, **{k: shopper[k] + v for k, v in seeds_example("ada").items()}}
    rows["accounts"] = [
        {
            "customer": "bo",
            "updated_at": at(30),
            "created_at": at(400),
            "first_name": "Bo",
            "email": "bo@example.com",
            "phone": "15551234567",
        }
    ]
    frames, record_customers = source_frames(rows)
    signals = compute_signals(frames, record_customers, AS_OF)
    customers = pd.DataFrame({"customer_id": ["ada", "bo", "nobody"], "is_known": [False, True, False]})
    profile = build_profile(customers, signals, frames, record_customers, AS_OF)

    assert list(profile["customer_id"]) == ["ada", "bo", "nobody"]
    assert list(profile.columns[:4]) == ["customer_id", "is_known", "first_seen", "last_seen"]
    assert len(profile.columns) == 4 + sum(frame.shape[1] for frame in signals.values())
    bo = profile.set_index("customer_id").loc["bo"]
    assert (bo["first_seen"], bo["last_seen"]) == (at(400), at(1, 15))
    nobody = profile.set_index("customer_id").loc["nobody"]
    assert pd.isna(nobody["first_seen"]) and pd.isna(nobody["behavioral_top_category_90d"])
    assert nobody["transactional_orders_all"] == 0 and not nobody["journey_researched_online_then_store"]
    assert profile["transactional_orders_all"].dtype == "int64"
    assert profile["journey_researched_online_then_store"].dtype == profile["is_known"].dtype == bool

    assert not set(profile.columns) & set(PERSON_COLUMNS)
    personal = {"Bo", "bo@example.com", "15551234567"} | {r["email"] for r in rows["email"]}
    values = profile.select_dtypes(object).stack()
    assert not values.isin(personal).any() and not values.astype(str).str.contains("@").any()


def test_empty_sources_give_empty_frames_and_a_profile_of_unknowns():
    frames, record_customers = source_frames({})
    signals = compute_signals(frames, record_customers, AS_OF)
    assert all(frame.empty for frame in signals.values())
    profile = build_profile(
        pd.DataFrame({"customer_id": ["x"], "is_known": [True]}), signals, frames, record_customers, AS_OF
    )
    assert len(profile) == 1 and profile.loc[0, "behavioral_web_sessions_7d"] == 0
