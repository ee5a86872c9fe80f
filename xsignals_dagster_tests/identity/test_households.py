"""Households without contact details, shared family devices, and an EM without anchors (issue 14)."""

from __future__ import annotations

import json

import numpy as np

from xsignals_dagster.identity import IdentitySettings, resolve_identities

from .builders import customer_holding, customer_of, frames

HOME = {
    "last_name": "Okafor",
    "street": "5112 145th St",
    "city": "Anytown",
    "postcode": "00000",
    "state": "WA",
}


def test_a_household_of_five_without_contact_details_stays_apart():
    members = [
        ("Diana", "1976-05-06"),
        ("Anna", "1979-09-29"),
        ("Marcus", "2004-11-03"),
        ("Leah", "2011-07-18"),
        ("Sam", "2019-03-03"),
    ]
    loyalty = [
        {"loyalty_id": f"L{i}", **HOME, "first_name": f, "date_of_birth": d}
        for i, (f, d) in enumerate(members)
    ]
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
    accounts = [
        {"account_id": "A0", **HOME, "first_name": "Diana", "date_of_birth": "1976-05-06"},
        {"account_id": "A1", **HOME, "first_name": "Marcus", "date_of_birth": "2004-11-03"},
    ]
    app = [
        {"event_id": "e0", "device_id": "tablet", "account_id": "A0"},
        {"event_id": "e1", "device_id": "tablet", "account_id": "A1"},
        {"event_id": "e2", "device_id": "tablet"},
    ]
    result = resolve_identities(frames(accounts=accounts, app=app))

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


def test_an_em_without_anchors_still_separates_households():
    """Loyalty members only (no account links them, no contact details): 40 households of four with
    distinct first names and birth dates, each member registered twice with a typo in the second."""
    rng = np.random.default_rng(0)
    firsts = [
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
    loyalty = []
    for h in range(40):
        home = {
            "last_name": f"Family{h:02d}",
            "street": f"{100 + h} Main St",
            "city": "Anytown",
            "postcode": "00000",
            "state": "WA",
        }
        for k, first in enumerate(rng.choice(firsts, 4, replace=False)):
            year, month, day = 1950 + rng.integers(0, 60), 1 + rng.integers(0, 12), 1 + rng.integers(0, 28)
            dob = f"{int(year)}-{int(month):02d}-{int(day):02d}"
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
