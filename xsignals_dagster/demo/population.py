"""The customers: households with their addresses, the people in them (names, ages, tastes, segment,
hidden habits, identifiers), and the store each person shops at.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xsignals_dagster.demo.draws import (
    keep,
    numbered,
    pick,
    pick_per_row,
    rank_within,
    row_cumulative,
    zero_padded,
)
from xsignals_dagster.demo.identities import (
    build_cookies,
    build_devices,
    build_tokens,
    draw_contact_details,
    draw_memberships,
    random_phones,
)
from xsignals_dagster.demo.reference import (
    CATEGORIES,
    CITIES,
    FEMALE_FIRST_NAMES,
    GROWN_UP_CHILDREN_FROM_HEAD_AGE,
    MALE_FIRST_NAMES,
    SEGMENTS,
    STREET_NAMES,
    STREET_SUFFIXES,
    SURNAME_POOL,
)
from xsignals_dagster.demo.world import Calendar, Catalog, World, build_stores


def build_households(rng: np.random.Generator, persons: int, cal: Calendar) -> pd.DataFrame:
    """Households of 1-5 people (about 2.2 on average) sharing surname, address and sometimes devices."""
    sizes = pick(rng, (0.35, 0.31, 0.16, 0.13, 0.05), persons) + 1
    total = np.cumsum(sizes)
    n = int(np.searchsorted(total, persons)) + 1
    sizes = sizes[:n]
    sizes[-1] -= total[n - 1] - persons
    shared = sizes > 1

    def address(prefix: str, city: np.ndarray) -> dict[str, np.ndarray]:
        return {
            f"{prefix}city": city,
            f"{prefix}number": np.clip(rng.lognormal(6.0, 1.2, n), 1, 29_999).astype(int),
            f"{prefix}street_name": np.asarray(STREET_NAMES, dtype=object)[
                rng.integers(0, len(STREET_NAMES), n)
            ],
            f"{prefix}suffix": rng.integers(0, len(STREET_SUFFIXES), n),
            f"{prefix}unit": np.where(rng.random(n) < 0.18, rng.integers(1, 40, n).astype(str), ""),
            f"{prefix}postcode": np.strings.add(
                CITIES["zip3"].to_numpy().astype(str)[city],
                zero_padded(rng.integers(0, 100, n).astype(str), 2),
            ),
        }

    city = pick(rng, CITIES["weight"], n)
    new_city = np.where(rng.random(n) < 0.7, city, pick(rng, CITIES["weight"], n))  # most movers stay in town
    moved = rng.random(n) < 0.05
    households = pd.DataFrame(
        {
            "household_id": numbered("H", np.arange(1, n + 1), 6),
            "size": sizes,
            "surname": draw_surnames(rng, n),
            **address("", city),
            **address("new_", new_city),
            "moved_day": np.where(moved, rng.integers(0, cal.days, n), -1),
            "tablet": shared & (rng.random(n) < 0.25),
            "shared_card": shared & (rng.random(n) < 0.06),
        }
    )
    households["home_phone"] = keep(random_phones(rng, city), shared & (rng.random(n) < 0.3))
    return households


def draw_surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    """Surnames with a common head and a long tail (a Zipf-like draw over SURNAME_POOL)."""
    pool = np.asarray(SURNAME_POOL, dtype=object)
    return pool[pick(rng, 1 / (np.arange(len(pool)) + 10), n)]


def draw_first_names(rng: np.random.Generator, female: np.ndarray, household: np.ndarray) -> np.ndarray:
    """First names by sex, redrawn until no two members of a household share one."""
    names = np.empty(len(female), dtype=object)
    redraw = np.ones(len(female), dtype=bool)
    for _ in range(6):
        for is_female, pool in ((True, FEMALE_FIRST_NAMES), (False, MALE_FIRST_NAMES)):
            rows = np.flatnonzero(redraw & (female == is_female))
            names[rows] = np.asarray(pool, dtype=object)[
                pick(rng, 1 / (np.arange(len(pool)) + 10), len(rows))
            ]
        redraw = pd.DataFrame({"household": household, "name": names}).duplicated().to_numpy()
        if not redraw.any():
            break
    return names


def nearest_stores(
    rng: np.random.Generator, city: np.ndarray, stores: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Home store (nearest, a random one of a city's several) and the distance to it in km."""
    lat, lon = CITIES["lat"].to_numpy(), CITIES["lon"].to_numpy()
    store_city = stores["city"].to_numpy()
    dy = (lat[:, None] - lat[store_city][None, :]) * 111.0
    dx = (lon[:, None] - lon[store_city][None, :]) * 111.0 * np.cos(np.radians(lat))[:, None]
    distance = np.hypot(dx, dy)  # cities x stores
    nearest = distance <= distance.min(axis=1, keepdims=True) + 1.0
    choice = pick_per_row(rng, row_cumulative(nearest[city].astype(float)))
    return choice, distance[city, choice]


def build_world(rng: np.random.Generator, persons: int, cal: Calendar) -> World:
    """The customers: households, people, their identifiers, tastes and hidden habits."""
    catalog = Catalog.build(rng)
    stores = build_stores(rng)
    households = build_households(rng, persons, cal)
    household = np.repeat(np.arange(len(households)), households["size"].to_numpy())
    member = rank_within(household)
    n = persons

    female = rng.random(n) < 0.5
    partner = np.flatnonzero(member == 1)
    female[partner] = np.where(rng.random(len(partner)) < 0.8, ~female[partner - 1], female[partner])
    first_name = draw_first_names(rng, female, household)
    head_age = rng.uniform(23, 82, len(households))[household]
    near_head = 90 - np.abs(
        71 - np.abs(head_age + rng.normal(0, 4, n) - 19)
    )  # folded into 19-90: no common birthday
    # Further members are grown-up children of a head old enough to have them (born over a
    # year or more, never all on one day), else siblings or flatmates of about the head's age.
    age = np.select(
        [member == 0, member == 1, head_age < GROWN_UP_CHILDREN_FROM_HEAD_AGE],
        [head_age, near_head, near_head],
        18 + rng.random(n) * np.minimum(head_age - 36, 12),
    )
    birth = np.datetime64(cal.start) - (age * 365.25).astype("timedelta64[D]")
    # A partner keeps their own surname at times; flatmates (further members of a young head) never share one.
    flatmate = (member >= 2) & (head_age < GROWN_UP_CHILDREN_FROM_HEAD_AGE)
    own_surname = ((member == 1) & (rng.random(n) < 0.15)) | (flatmate & (rng.random(n) < 0.6))
    last_name = np.where(own_surname, draw_surnames(rng, n), households["surname"].to_numpy()[household])

    segment = pick(rng, SEGMENTS["share"], n)
    seg = {column: SEGMENTS[column].to_numpy()[segment] for column in SEGMENTS.columns if column != "segment"}
    city = households["city"].to_numpy()[household]
    home_store, store_distance = nearest_stores(rng, city, stores)
    store_reach = np.select([store_distance < 40, store_distance < 150], [1.0, 0.35], 0.08)

    memberships = draw_memberships(rng, cal, city, seg)
    contacts = draw_contact_details(
        rng, first_name, last_name, birth, city, households["home_phone"].to_numpy()[household]
    )
    web_login = np.where(rng.random(n) < 0.12, 0.0, rng.beta(2.5, 2.5, n))  # some never log in on the web
    has_app = rng.random(n) < seg["app_user"]
    tablet = households["tablet"].to_numpy()[household]

    def spread() -> np.ndarray:
        """Person-to-person variation around a segment's mean (mean 1)."""
        return rng.gamma(2.0, 0.5, n)

    channel_weight = np.column_stack(
        [
            seg["web_channel"] * spread(),
            seg["app_channel"] * (has_app | tablet) * spread(),
            seg["store_channel"] * store_reach * spread(),
        ]
    )

    female_factor = CATEGORIES["female"].to_numpy()
    male_factor = CATEGORIES["male"].to_numpy()
    taste = rng.gamma(0.6, 1.0, (n, len(CATEGORIES))) * CATEGORIES["popularity"].to_numpy()
    taste *= np.where(female[:, None], female_factor, male_factor)

    people = pd.DataFrame(
        {
            "person_id": numbered("P", np.arange(1, n + 1), 6).astype(object),
            "household": household,
            "first_name": first_name,
            "last_name": last_name,
            "gender": np.where(female, "F", "M"),
            "birth": birth,
            "city": city,
            "offset": CITIES["utc_offset"].to_numpy()[city],
            "segment": SEGMENTS["segment"].to_numpy()[segment],
            "entry": np.clip(seg["entry"] * rng.lognormal(0, 0.5, n), 0.0005, 0.08),
            "persistence": np.clip(seg["persistence"] + rng.normal(0, 0.04, n), 0.5, 0.97),
            "buy_in_market": np.clip(seg["buy_in_market"] * rng.lognormal(0, 0.3, n), 0.01, 0.5),
            "buy_baseline": seg["buy_baseline"] * rng.lognormal(0, 0.5, n),
            "web_rate": seg["web"] * spread(),
            "app_rate": seg["app"] * spread() * np.where(has_app, 1.0, np.where(tablet, 0.4, 0.0)),
            "store_rate": seg["store"] * spread() * store_reach,
            "open_rate": np.clip(seg["open_rate"] * rng.lognormal(0, 0.4, n), 0.01, 0.9),
            "home_store": home_store,
            "store_reach": store_reach,
            **memberships,
            "web_login": web_login,
            **contacts,
            "consent_email": rng.random(n) < 0.6,
            "consent_push": rng.random(n) < 0.55,
            "consent_sms": rng.random(n) < 0.2,
            "consent_location": rng.random(n) < 0.35,
            "consent_personalization": rng.random(n) < 0.6,
            "top_categories": [
                ";".join(CATEGORIES["category"].to_numpy()[row[::-1][:k]])
                for row, k in zip(np.argsort(taste, axis=1), rng.integers(1, 4, n), strict=False)
            ],
        }
    )
    return World(
        cal=cal,
        catalog=catalog,
        stores=stores,
        households=households,
        people=people,
        cookies=build_cookies(rng, cal, household, households["tablet"].to_numpy()),
        devices=build_devices(
            rng, has_app, pd.notna(memberships["account_id"]), household, households["tablet"].to_numpy()
        ),
        tokens=build_tokens(rng, household, member, households["shared_card"].to_numpy()),
        affinity=row_cumulative(taste),
        channel_preference=row_cumulative(channel_weight),
    )
