"""Households without contact details, shared family devices, and an EM without anchors (issue 14)."""

from __future__ import annotations

import json

import numpy as np

from xsignals_dagster.identity import IdentitySettings, resolve_identities

from .builders import (
    HOME,
    HOUSEHOLD_OF_FIVE,
    customer_holding,
    customer_of,
    family_tablet,
    frames,
    loyalty_roster,
)


def test_a_household_of_five_without_contact_details_stays_apart():
    members = HOUSEHOLD_OF_FIVE
    loyalty = loyalty_roster(members)
    accounts = [{"account_id": "A0", **HOME, "first_name": "Anna"}]  # one member's account, no date of birth
    result = resolve_identities(frames(loyalty=loyalty, accounts=accounts))

    customers = [customer_holding(result, "loyalty_id", f"L{i}") for i in range(len(members))]
    assert len(set(customers)) == len(members)
    assert customer_holding(result, "account_id", "A0") == customers[1]  # Anna's account is Anna's


def test_the_same_person_on_two_rosters_with_a_nickname_and_a_moved_address_links():
    loyalty = [{"loyalty_id": "L0", **HOME, "first_name": "William", "date_of_birth": "1980-02-14"}]
    moved = {**HOME, "street": "88 Lake View Rd", "city": "Seattle", "postcode": "98101"}
    accounts = [{"account_id": "A0", **moved, "first_name": "Bill", "date_of_birth": "1980-02-14"}]
    result = resolve_identities(frames(loyalty=loyalty, accounts=accounts))

    assert customer_holding(result, "loyalty_id", "L0") == customer_holding(result, "account_id", "A0")
    evidence = json.loads(result.links.loc[result.links["kind"] == "probabilistic", "evidence"].iloc[0])
    assert evidence["first_name"] == "close_or_nickname" and evidence["birth_date"] == "exact"


def test_a_family_tablet_two_accounts_log_into_is_shared_not_a_bridge():
    result = resolve_identities(frames(**family_tablet()))

    assert customer_holding(result, "account_id", "A0") != customer_holding(result, "account_id", "A1")
    shared = result.shared_identifiers.set_index("id_value")
    assert shared.loc["tablet", "reason"] == "device used by people whose person records are not linked"
    assert customer_of(result, "app", "e0") == customer_holding(result, "account_id", "A0")
    assert customer_of(result, "app", "e2") is None


def test_a_record_without_a_first_name_sharing_surname_and_address_stays_apart():
    loyalty = [{"loyalty_id": "L0", **HOME, "first_name": "Diana", "date_of_birth": "1976-05-06"}]
    accounts = [{"account_id": "A0", **HOME}]  # no first name, no date of birth: a household, not a person
    result = resolve_identities(frames(loyalty=loyalty, accounts=accounts))

    assert customer_holding(result, "loyalty_id", "L0") != customer_holding(result, "account_id", "A0")


FIRST_NAMES = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Elijah",
    "Sophia",
    "Lucas",
    "Mia",
    "Mason",
    "Harper",
    "Ethan",
]


def random_birth_date(rng: np.random.Generator) -> str:
    year, month, day = (
        1950 + int(rng.integers(0, 60)),
        1 + int(rng.integers(0, 12)),
        1 + int(rng.integers(0, 28)),
    )
    return f"{year}-{month:02d}-{day:02d}"


def test_an_em_without_anchors_still_separates_households():
    """Loyalty members only (no account links them, no contact details): 40 households of four with
    distinct first names and birth dates, each member registered twice with a typo in the second."""
    rng = np.random.default_rng(0)
    loyalty = []
    for h in range(40):
        home = {
            "last_name": f"Family{h:02d}",
            "street": f"{100 + h} Main St",
            "city": "Anytown",
            "postcode": "00000",
            "state": "WA",
        }
        for k, first in enumerate(rng.choice(FIRST_NAMES, 4, replace=False)):
            dob = random_birth_date(rng)
            for copy, name in enumerate((first, first[:-1] + "x")):
                loyalty.append(
                    {"loyalty_id": f"H{h}M{k}C{copy}", **home, "first_name": name, "date_of_birth": dob}
                )
    result = resolve_identities(frames(loyalty=loyalty))

    customer = {
        row["loyalty_id"]: customer_holding(result, "loyalty_id", row["loyalty_id"]) for row in loyalty
    }
    persons = {key[: key.index("C")] for key in customer}
    for person in persons:
        assert customer[person + "C0"] == customer[person + "C1"]
    assert len(set(customer.values())) == len(persons) == 160
    model = result.match_model.set_index(["comparison", "level"])
    assert model.loc[("first_name", "different"), "m"] <= IdentitySettings().max_m_clear_difference + 1e-9


SURNAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
    "Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall "
    "Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins "
    "Reyes"
).split()
STREETS = (
    "Oak Pine Maple Cedar Elm Birch Walnut Chestnut Spruce Willow Aspen Hickory Poplar Sycamore Magnolia "
    "Juniper Laurel Cypress Redwood Sequoia Hawthorn Alder Beech Linden Mulberry Olive Peach Plum Cherry "
    "Apple Lake River Ocean Harbor Canyon Valley Meadow Prairie Summit Ridge Forest Garden Orchard Vineyard "
    "Quarry "
    "Mill Bridge Church School Market Union Liberty Franklin Lincoln Jefferson Madison Monroe Jackson Adams "
    "Grant"
).split()


def census_rosters(copied_every: int):
    """Two rosters of 60 households of four (distinct first names and birth dates, no contact details):
    every member on ``loyalty``, and on ``accounts`` (the fourth with a typo in the first name). In every
    copied_every-th household the form copied the first member's birth date onto the second member's
    loyalty record (as census forms do), so two members share a birth date."""
    rng = np.random.default_rng(1)
    loyalty, accounts = [], []
    for h in range(60):
        home = {
            "last_name": SURNAMES[h],
            "street": f"{100 + 7 * h} {STREETS[h]} St",
            "city": "Anytown",
            "postcode": "00000",
            "state": "WA",
        }
        dobs = [random_birth_date(rng) for _ in range(4)]
        for k, first in enumerate(rng.choice(FIRST_NAMES, 4, replace=False)):
            written = dobs[0] if k == 1 and h % copied_every == 0 else dobs[k]
            loyalty.append({"loyalty_id": f"L{h}M{k}", **home, "first_name": first, "date_of_birth": written})
            accounts.append(
                {
                    "account_id": f"A{h}M{k}",
                    **home,
                    "first_name": first[:-1] + "x" if k == 3 else first,
                    "date_of_birth": dobs[k],
                }
            )
    return loyalty, accounts


def test_a_birth_date_copied_onto_a_household_member_is_no_evidence_of_one_person():
    """Within one household a shared birth date is far less rare than between strangers (copied on a form,
    twins): the model learns how often household members agree from the data, so a copied birth date with
    a different first name links nobody, while every member still links to their own account."""
    loyalty, accounts = census_rosters(copied_every=3)
    result = resolve_identities(frames(loyalty=loyalty, accounts=accounts))

    for row in loyalty:
        member = row["loyalty_id"][1:]
        own_account = customer_holding(result, "account_id", f"A{member}")
        if member.endswith("M1") and int(member[: member.index("M")]) % 3 == 0:  # the copied birth date
            assert customer_holding(result, "loyalty_id", f"L{member}") != customer_holding(
                result, "account_id", f"A{member[: member.index('M')]}M0"
            )
        else:
            assert customer_holding(result, "loyalty_id", f"L{member}") == own_account
    model = result.match_model.set_index(["comparison", "level"])
    at_home, anywhere = (
        model.loc[("birth_date in household", "exact"), "u"],
        model.loc[("birth_date", "exact"), "u"],
    )
    assert at_home > 10 * anywhere  # members share a birth date far more often than strangers
    assert result.metrics["household_separations"] >= 1


def test_without_households_the_stratum_learns_nothing_against_one_person():
    """FEBRL-like data, no households: pairs sharing surname and address are almost all one person, so the
    household stratum's match share is high and one person's records with a replaced first name still link."""
    rng = np.random.default_rng(2)
    loyalty, accounts = [], []
    for p in range(120):
        home = {
            "last_name": SURNAMES[p % 60],
            "street": f"{100 + 7 * p} {STREETS[p // 2]} St",
            "city": "Anytown",
            "postcode": "00000",
            "state": "WA",
        }
        dob = random_birth_date(rng)
        first = FIRST_NAMES[p % len(FIRST_NAMES)]
        # every tenth person's account carries a first name replaced wholesale
        replaced = FIRST_NAMES[(p + 5) % len(FIRST_NAMES)] if p % 10 == 0 else first
        loyalty.append({"loyalty_id": f"L{p}", **home, "first_name": first, "date_of_birth": dob})
        accounts.append({"account_id": f"A{p}", **home, "first_name": replaced, "date_of_birth": dob})
    result = resolve_identities(frames(loyalty=loyalty, accounts=accounts))

    for p in range(120):
        assert customer_holding(result, "loyalty_id", f"L{p}") == customer_holding(
            result, "account_id", f"A{p}"
        )
    model = result.match_model.set_index(["comparison", "level"])
    assert model.loc[("same surname and address", "match_share"), "m"] > 0.9
