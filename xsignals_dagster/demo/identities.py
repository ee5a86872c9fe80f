"""The identifiers people carry: accounts and loyalty cards, emails and phones, browser cookies, app
devices and payment tokens, some of them shared within a household (a family tablet, a joint card).

Each channel captures only some of them, so the links between a person's records have to be earned.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xsignals_dagster.demo.draws import (
    device_ids,
    hex_strings,
    keep,
    numbered,
    pick,
    rank_within,
    seconds_of_day,
    zero_padded,
)
from xsignals_dagster.demo.reference import (
    CITIES,
    EMAIL_DOMAIN_WEIGHTS,
    EMAIL_DOMAINS,
    EMAIL_PATTERNS,
    NEVER,
    NICKNAMES,
    ONE_DAY,
)
from xsignals_dagster.demo.typos import ascii_letters
from xsignals_dagster.demo.world import Calendar


def owned(
    owner: np.ndarray, person: np.ndarray, rng: np.random.Generator, primary_share: float
) -> np.ndarray:
    """Row of a table sorted by owner (primary row first) that each person uses; -1 if they own none."""
    first = np.searchsorted(owner, person, side="left")
    count = np.searchsorted(owner, person, side="right") - first
    offset = np.where(
        rng.random(len(person)) < primary_share, 0, (rng.random(len(person)) * count).astype(int)
    )
    return np.where(count > 0, first + np.minimum(offset, np.maximum(count - 1, 0)), -1)


def random_phones(rng: np.random.Generator, city: np.ndarray) -> np.ndarray:
    """National numbers: an area code of the city, an exchange 200-999 and any line."""
    codes = CITIES["area_codes"].str.split().to_numpy()
    area = np.array(
        [codes[c][i % len(codes[c])] for c, i in zip(city, rng.integers(0, 6, len(city)), strict=False)]
    )
    exchange = rng.integers(200, 1000, len(city)).astype(str)
    line = zero_padded(rng.integers(0, 10_000, len(city)).astype(str), 4)
    return np.strings.add(np.strings.add(area, exchange), line)


def unique_emails(emails: list[str]) -> np.ndarray:
    """Make addresses unique by numbering the repeats before the @ (until the numbered ones clash
    with none)."""
    emails = np.array(emails, dtype=object)
    while True:
        repeat = pd.Series(emails).groupby(emails, sort=False).cumcount().to_numpy()
        if not repeat.any():
            return emails
        emails = np.array(
            [e if r == 0 else e.replace("@", f".{r + 1}@", 1) for e, r in zip(emails, repeat, strict=False)],
            dtype=object,
        )


def make_emails(
    rng: np.random.Generator, first: np.ndarray, last: np.ndarray, birth_year: np.ndarray
) -> list[str]:
    """Addresses built from names the way people pick them (john.smith84@…, jsmith@…), not yet unique."""
    patterns = rng.integers(0, len(EMAIL_PATTERNS), len(first))
    domains = pick(rng, EMAIL_DOMAIN_WEIGHTS, len(first))
    numbers = np.where(rng.random(len(first)) < 0.5, birth_year % 100, rng.integers(1, 1000, len(first)))
    emails = []
    for given, family, pattern, domain, number in zip(first, last, patterns, domains, numbers, strict=False):
        given, family = ascii_letters(given), ascii_letters(family)
        local = EMAIL_PATTERNS[pattern].format(f=given, l=family, i=given[0], n=number)
        emails.append(f"{local}@{EMAIL_DOMAINS[domain]}")
    return emails


def draw_memberships(
    rng: np.random.Generator, cal: Calendar, city: np.ndarray, seg: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Online accounts and loyalty cards with their start times: most predate the window, some open during it;
    3% of members hold a second card."""
    n = len(city)

    def since(has: np.ndarray) -> np.ndarray:
        before = cal.start_epoch - rng.integers(ONE_DAY, 5 * 365 * ONE_DAY, n)
        in_window = cal.utc(
            rng.integers(0, cal.days, n), seconds_of_day(rng, "web", n), CITIES["utc_offset"].to_numpy()[city]
        )
        return np.where(has, np.where(rng.random(n) < 0.9, before, in_window), NEVER)

    has_account = rng.random(n) < seg["account"]
    has_loyalty = rng.random(n) < seg["loyalty"]
    second_card = has_loyalty & (rng.random(n) < 0.03)
    account_numbers = rng.choice(999_999, n, replace=False) + 1
    loyalty_numbers = rng.choice(999_999, 2 * n, replace=False) + 1
    loyalty_since = since(has_loyalty)
    return {
        "account_id": keep(numbered("A", account_numbers, 6), has_account),
        "account_since": since(has_account),
        "loyalty_id": keep(numbered("L", loyalty_numbers[:n], 6), has_loyalty),
        "loyalty_since": loyalty_since,
        "second_loyalty_id": keep(numbered("L", loyalty_numbers[n:], 6), second_card),
        "second_loyalty_since": np.where(
            second_card, np.maximum(since(second_card), loyalty_since + ONE_DAY), NEVER
        ),
    }


def draw_contact_details(
    rng: np.random.Generator,
    first_name: np.ndarray,
    last_name: np.ndarray,
    birth: np.ndarray,
    city: np.ndarray,
    home_phone: np.ndarray,
) -> dict[str, np.ndarray]:
    """Emails (a second one for a third of people, often nickname-based and used for the loyalty
    card) and phones."""
    n = len(first_name)
    birth_year = birth.astype("datetime64[Y]").astype(int) + 1970
    nicknamed = np.array(
        [rng.choice(NICKNAMES[f]) if f in NICKNAMES else f for f in first_name], dtype=object
    )
    both = unique_emails(
        make_emails(
            rng, np.r_[first_name, nicknamed], np.r_[last_name, last_name], np.r_[birth_year, birth_year]
        )
    )
    has_second = rng.random(n) < 0.35
    second_email = keep(both[n:], has_second)
    mobile = keep(random_phones(rng, city), rng.random(n) < 0.93)
    gives_home_phone = pd.notna(home_phone) & (pd.isna(mobile) | (rng.random(n) < 0.35))
    return {
        "email": both[:n],
        "second_email": second_email,
        "loyalty_email": np.where(has_second & (rng.random(n) < 0.5), second_email, both[:n]),
        "mobile": mobile,
        "home_phone": home_phone,
        "roster_phone": np.where(gives_home_phone, home_phone, mobile),
    }


def with_household_rows(
    own: pd.DataFrame,
    household: np.ndarray,
    shared_by: np.ndarray,
    shared: pd.DataFrame,
    who: np.ndarray | None = None,
) -> pd.DataFrame:
    """Add one row per member of each household owning a shared item (`shared` is indexed by household)."""
    members = np.flatnonzero(shared_by[household] & (who if who is not None else True))
    rows = shared.loc[household[members]].reset_index(drop=True).assign(person=members, rank=1_000)
    table = pd.concat([own, rows], ignore_index=True)
    return table.sort_values(["person", "rank"], kind="stable").drop(columns="rank").reset_index(drop=True)


def build_cookies(
    rng: np.random.Generator, cal: Calendar, household: np.ndarray, tablet: np.ndarray
) -> pd.DataFrame:
    """1-3 browsers per person, the first a desktop or phone; a family tablet's browser is shared."""
    count = 1 + rng.binomial(2, 0.3, len(household))
    person = np.repeat(np.arange(len(household)), count)
    rank = rank_within(person)

    def cookie_ids(n: int) -> np.ndarray:
        first_visit = cal.start_epoch - rng.integers(ONE_DAY, 3 * 365 * ONE_DAY, n)
        client = rng.integers(100_000_000, 4_000_000_000, n).astype(str)
        return np.strings.add(np.strings.add(np.strings.add("GA1.2.", client), "."), first_visit.astype(str))

    device_type = np.where(
        rank == 0,
        np.where(rng.random(len(person)) < 0.55, "desktop", "mobile"),
        np.array(["mobile", "desktop", "tablet"])[pick(rng, (0.55, 0.3, 0.15), len(person))],
    )
    own = pd.DataFrame(
        {"person": person, "cookie_id": cookie_ids(len(person)), "device_type": device_type, "rank": rank}
    )
    shared = pd.DataFrame({"cookie_id": cookie_ids(len(tablet)), "device_type": "tablet"})
    return with_household_rows(own, household, tablet, shared)


def build_devices(
    rng: np.random.Generator,
    has_app: np.ndarray,
    has_account: np.ndarray,
    household: np.ndarray,
    tablet: np.ndarray,
) -> pd.DataFrame:
    """App installs: 1-2 phones for app users, plus the family tablet for everyone in its household."""
    count = has_app * (1 + (rng.random(len(has_app)) < 0.2))
    person = np.repeat(np.arange(len(has_app)), count)
    ios = rng.random(len(person)) < 0.55
    own = pd.DataFrame(
        {
            "person": person,
            "device_id": device_ids(rng, ios),
            "os": np.where(ios, "ios", "android"),
            "logged_in": has_account[person] & (rng.random(len(person)) < 0.85),
            "personal": True,
            "rank": rank_within(person),
        }
    )
    tablet_ios = rng.random(len(tablet)) < 0.6
    shared = pd.DataFrame(
        {
            "device_id": device_ids(rng, tablet_ios),
            "os": np.where(tablet_ios, "ios", "android"),
            "personal": False,
        }
    )
    table = with_household_rows(own, household, tablet, shared)
    tablet_rows = ~table["personal"].to_numpy(dtype=bool)
    table["logged_in"] = np.where(
        tablet_rows,
        has_account[table["person"].to_numpy()] & (rng.random(len(table)) < 0.6),
        table["logged_in"].to_numpy(dtype=bool),
    )
    return table


def build_tokens(
    rng: np.random.Generator, household: np.ndarray, member: np.ndarray, shared_card: np.ndarray
) -> pd.DataFrame:
    """0-2 cards per person; a few couples share one."""
    count = pick(rng, (0.12, 0.58, 0.30), len(household))
    person = np.repeat(np.arange(len(household)), count)
    own = pd.DataFrame(
        {
            "person": person,
            "payment_token": np.strings.add("tok_", hex_strings(rng, len(person), 20)),
            "rank": rank_within(person),
        }
    )
    shared = pd.DataFrame({"payment_token": np.strings.add("tok_", hex_strings(rng, len(shared_card), 20))})
    return with_household_rows(own, household, shared_card, shared, who=member < 2)
