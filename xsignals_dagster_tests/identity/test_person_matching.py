"""Fuzzy person matching: nicknames and typos link, households stay apart, no chaining."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from xsignals_dagster.identity import IdentitySettings, resolve_identities
from xsignals_dagster.identity.clusters import cluster_persons

from .builders import customer_holding, frames

# Unrelated people, so that every fixture also holds plenty of non-matching pairs.
BYSTANDERS = [
    {
        "first_name": first,
        "last_name": last,
        "date_of_birth": dob,
        "street": street,
        "city": "Portland",
        "postcode": postcode,
    }
    for first, last, dob, street, postcode in [
        ("Harold", "Finch", "1961-09-14", "3 Birch Lane", "97201"),
        ("Irene", "Adler", "1979-12-01", "88 Baker Street", "97202"),
        ("Omar", "Little", "1975-06-22", "15 Harbor Way", "97203"),
        ("Greta", "Lindqvist", "1992-02-29", "640 Pine Street", "97204"),
        ("Tomas", "Herrera", "1983-10-05", "21 Cedar Avenue", "97205"),
        ("Yuki", "Tanaka", "1995-07-17", "9 Maple Court", "97206"),
    ]
]


def with_ids(prefix: str, people: list[dict]) -> list[dict]:
    key = "account_id" if prefix == "A" else "loyalty_id"
    return [{key: f"{prefix}{i}", **person} for i, person in enumerate(people)]


def test_nicknames_typos_and_swaps_link_one_person():
    accounts = [
        {
            "first_name": "William",
            "last_name": "Turner",
            "date_of_birth": "1985-04-12",
            "street": "7 Elm Road",
            "city": "Salem",
            "postcode": "97301",
            "email": "w.turner@mail.com",
        },
        {
            "first_name": "Katherine",
            "last_name": "Lopez",
            "date_of_birth": "1990-03-07",
            "street": "51 Oak Street",
            "city": "Salem",
            "postcode": "97302",
            "phone": "15035550142",
        },
        {
            "first_name": "Jonathan",
            "last_name": "Reyes",
            "date_of_birth": "1977-11-23",
            "street": "230 River Drive",
            "city": "Eugene",
            "postcode": "97401",
        },
        {
            "first_name": "Thi",
            "last_name": "Nguyen",
            "date_of_birth": "1988-01-30",
            "street": "4 Hill Place",
            "city": "Eugene",
            "postcode": "97402",
        },
    ] + BYSTANDERS[:3]
    loyalty = [
        {
            "first_name": "Bill",
            "last_name": "Turner",
            "date_of_birth": "1985-04-12",
            "street": "7 Elm Rd",
            "city": "Salem",
            "postcode": "97301",
        },
        {
            "first_name": "Kate",
            "last_name": "Lopez",
            "date_of_birth": "1990-07-03",
            "street": "51 Oak St",
            "city": "Salem",
            "postcode": "97302",
            "phone": "15035550142",
        },
        {
            "first_name": "Jonathon",
            "last_name": "Reyes",
            "date_of_birth": "1977-11-23",
            "street": "230 River Dr",
            "city": "Eugene",
            "postcode": "97401",
        },
        {
            "first_name": "Nguyen",
            "last_name": "Thi",
            "date_of_birth": "1988-01-30",
            "street": "4 Hill Pl",
            "city": "Eugene",
            "postcode": "97402",
        },
    ] + BYSTANDERS[3:]
    result = resolve_identities(frames(accounts=with_ids("A", accounts), loyalty=with_ids("L", loyalty)))

    for i in range(4):
        assert customer_holding(result, "account_id", f"A{i}") == customer_holding(
            result, "loyalty_id", f"L{i}"
        )
    assert result.customers.shape[0] == 4 + len(BYSTANDERS)
    links = result.links[result.links["kind"] == "probabilistic"]
    bill = links[(links["left_value"] == "L0") | (links["right_value"] == "L0")]
    assert json.loads(bill["evidence"].iloc[0])["first_name"] == "close_or_nickname"
    assert (bill["match_probability"] >= IdentitySettings().match_threshold).all()


def test_household_members_stay_apart():
    household = {
        "last_name": "Smith",
        "street": "12 Oak Street",
        "city": "Bend",
        "postcode": "97701",
        "phone": "15415550100",
        "email": "smiths@mail.com",
    }
    people = [
        {"first_name": "John", "date_of_birth": "1970-02-03"},
        {"first_name": "Mary", "date_of_birth": "1972-08-19"},
        {"first_name": "Emma", "date_of_birth": "2001-05-05"},  # twins: same birthday
        {"first_name": "Olivia", "date_of_birth": "2001-05-05"},
        {"first_name": "John", "date_of_birth": "1998-11-30"},  # the son of the same name
    ]
    loyalty = [{**household, **person} for person in people] + BYSTANDERS
    accounts = [{**household, **people[0]}, {**household, **people[1], "email": "mary.smith@mail.com"}]
    result = resolve_identities(frames(loyalty=with_ids("L", loyalty), accounts=with_ids("A", accounts)))

    family = [customer_holding(result, "loyalty_id", f"L{i}") for i in range(len(people))]
    assert len(set(family)) == len(people)
    assert customer_holding(result, "account_id", "A0") == family[0]
    assert customer_holding(result, "account_id", "A1") == family[1]
    shared = set(result.shared_identifiers["id_value"])
    assert {"15415550100", "smiths@mail.com"} <= shared
    assert customer_holding(result, "email", "mary.smith@mail.com") == family[1]
    assert result.metrics["household_separations"] >= 1  # the twins agree on everything but the first name


class StubScores:
    """PairScores stand-in: fixed match weights per pair, every pair with a weight >= 0 accepted."""

    def __init__(self, weights: dict[tuple[int, int], float]):
        self.weights = {(max(pair), min(pair)): weight for pair, weight in weights.items()}

    def accepted(self) -> pd.DataFrame:
        rows = [(left, right, weight) for (left, right), weight in self.weights.items() if weight >= 0]
        return pd.DataFrame(rows, columns=["left", "right", "match_weight"])

    def get(self, left: np.ndarray, right: np.ndarray) -> pd.DataFrame:
        weights = [self.weights[(max(a, b), min(a, b))] for a, b in zip(left, right, strict=False)]
        return pd.DataFrame({"match_weight": weights, "conflict": False})


def test_one_weak_bridge_does_not_chain_two_people():
    # Persons 0, 1 are one group and 2, 3 another; only 1-2 looks alike.
    groups, sizes, profiles = np.array([0, 0, 1, 1]), np.array([2, 2, 2, 2]), np.arange(4)
    bridge = {(1, 2): 8.0, (0, 2): -20.0, (0, 3): -20.0, (1, 3): -20.0}
    kept_apart = cluster_persons(groups, sizes, profiles, StubScores(bridge), IdentitySettings())
    assert kept_apart.group[0] == kept_apart.group[1] != kept_apart.group[2] == kept_apart.group[3]
    assert len(kept_apart.refused) == 1

    agreeing = {pair: 8.0 for pair in bridge}
    merged = cluster_persons(groups, sizes, profiles, StubScores(agreeing), IdentitySettings())
    assert len(set(merged.group)) == 1
    assert list(merged.joins.itertuples(index=False, name=None)) == [(2, 1)]


def test_merges_stop_at_the_size_cap():
    groups, profiles = np.arange(4), np.arange(4)
    everyone_alike = {(a, b): 10.0 for a in range(4) for b in range(a)}
    capped = cluster_persons(
        groups, np.ones(4), profiles, StubScores(everyone_alike), IdentitySettings(max_cluster_size=2)
    )
    assert sorted(np.bincount(capped.group)[np.bincount(capped.group) > 0]) == [2, 2]
    assert capped.refused["too_big"].all()


def levels(**given: int) -> pd.DataFrame:
    """One pair's comparison levels: everything agrees exactly unless given (0 = a side is missing)."""
    from xsignals_dagster.identity.linkage import COMPARISONS

    return pd.DataFrame([{c.name: given.get(c.name, len(c.levels)) for c in COMPARISONS}]).astype(np.int8)


def test_household_conflicts_need_two_clear_differences_or_contact_details_and_one():
    from xsignals_dagster.identity.household import conflicts

    no_contact = {"email": 0, "phone": 0}
    cases = [
        (levels(first_name=1, **no_contact), False),  # FEBRL: a replaced first name is weighed, not ruled out
        (levels(birth_date=1, **no_contact), False),
        (levels(first_name=1, birth_date=1, **no_contact), True),  # two household members, no contact details
        (levels(first_name=1), True),  # twins sharing the household's email and phone
        (levels(birth_date=1, email=0), True),  # a parent and a child of the same name, a phone each
        (
            levels(first_name=3, birth_date=0, email=1, phone=1),
            True,
        ),  # Frank and Franklin, a mailbox and mobile each
        (levels(first_name=2, birth_date=0, email=1, phone=1), True),  # Mark and Mary
        (levels(first_name=4, email=1, phone=1), False),  # one person with a new email and phone
        (levels(first_name=3, birth_date=0, email=1, phone=0), False),  # only the emails differ
        (levels(first_name=3, birth_date=3), False),  # a nickname and a mistyped date
    ]
    assert [bool(conflicts(pair)[0]) for pair, _ in cases] == [expected for _, expected in cases]


def test_mistyped_nicknames_abbreviations_and_swapped_names_with_a_slip_link():
    base = {"city": "Salem", "state": "OR"}
    accounts = [
        {
            "first_name": "Amanda",
            "last_name": "Hernandez",
            "date_of_birth": "1989-05-19",
            "street": "659 Harbor Dr",
            "postcode": "97301",
            "email": "amanda.h@mail.com",
            "phone": "15035550111",
        },
        {
            "first_name": "Dominic",
            "last_name": "Ortiz",
            "date_of_birth": "1991-03-31",
            "street": "684 Union Blvd",
            "postcode": "97302",
            "email": "dom.ortiz@mail.com",
            "phone": "15035550112",
        },
        {
            "first_name": "Jennifer",
            "last_name": "Walker",
            "date_of_birth": "2005-01-10",
            "street": "251 Grant Road",
            "postcode": "97303",
            "email": "jwalker@mail.com",
            "phone": "15035550113",
        },
        {
            "first_name": "James",
            "last_name": "Kim",
            "date_of_birth": "1976-08-03",
            "street": "1837 Orchard St",
            "postcode": "97304",
            "email": "james.kim@mail.com",
            "phone": "15035550114",
        },
        {
            "first_name": "Eli",
            "last_name": "Avila",
            "date_of_birth": "1950-09-01",
            "street": "293 Orchard Pl",
            "postcode": "97305",
            "email": "eliavila@mail.com",
            "phone": "15035550115",
        },
    ] + BYSTANDERS[:3]
    loyalty = (
        [
            {**accounts[0], "first_name": "Mndy"},  # Mandy, mistyped
            {**accounts[1], "first_name": "Dqm", "email": "ortiz.d@mail.com"},  # Dom, mistyped
            {**accounts[2], "first_name": "Jn", "phone": None},  # an abbreviation
            {**accounts[3], "first_name": "Kmi", "last_name": "James"},  # swapped, with a slip
            {**accounts[4], "first_name": "Eil", "date_of_birth": None},  # a slip in a short name
        ]
        + BYSTANDERS[3:]
    )
    result = resolve_identities(
        frames(
            accounts=with_ids("A", [{**base, **a} for a in accounts]),
            loyalty=with_ids("L", [{**base, **b} for b in loyalty]),
        )
    )

    for i in range(5):
        assert customer_holding(result, "account_id", f"A{i}") == customer_holding(
            result, "loyalty_id", f"L{i}"
        )
    assert result.customers.shape[0] == 5 + len(BYSTANDERS)


def test_look_alike_first_names_of_one_household_stay_apart():
    household = {"last_name": "Harris", "street": "1431 Chestnut St", "city": "Salem", "postcode": "97301"}
    people = [
        ("Mark", None, "mharris92@mail.com", "15035550121"),  # one slip from Mary, own email and mobile
        ("Mary", "2001-03-02", "mary_harris@mail.com", "15035550122"),
        ("Keith", None, "keith.h@mail.com", "15035550123"),  # looks like Edith, two slips away
        ("Edith", "1958-06-19", "edith.h@mail.com", None),
        ("Michael", None, "michael.h@mail.com", "15035550125"),  # Mia is no abbreviation of Michael
        ("Mia", "1954-05-07", "mia.h@mail.com", None),
    ]
    accounts = [
        {**household, "first_name": f, "date_of_birth": d, "email": e, "phone": p} for f, d, e, p in people
    ]
    result = resolve_identities(frames(accounts=with_ids("A", accounts + BYSTANDERS)))

    assert len({customer_holding(result, "account_id", f"A{i}") for i in range(len(people))}) == len(people)


def test_a_move_counts_once_in_the_match_weight():
    from xsignals_dagster.identity.fellegi_sunter import ADDRESS_COMPARISONS, FellegiSunterModel
    from xsignals_dagster.identity.linkage import COMPARISONS

    model = FellegiSunterModel(
        m={c.name: np.array(c.default_m) for c in COMPARISONS},
        u={c.name: np.array(c.default_u) for c in COMPARISONS},
        match_prior=0.5,
        iterations=0,
    )
    weight = {c.name: np.log2(np.array(c.default_m) / np.array(c.default_u)) for c in COMPARISONS}
    stayed = levels(street=1)  # another street in the same town: every disagreement counts
    moved = levels(street=1, city=1, postcode=1, state=1)  # another address altogether: counts once
    others = sum(weight[c.name][-1] for c in COMPARISONS if c.name not in ADDRESS_COMPARISONS)
    assert model.match_weight(stayed)[0] == pytest.approx(
        others + weight["street"][0] + sum(weight[n][-1] for n in ("city", "postcode", "state"))
    )
    assert model.match_weight(moved)[0] == pytest.approx(
        others + min(weight[n][0] for n in ADDRESS_COMPARISONS)
    )


def test_mailbox_variants_of_a_common_name_prove_nothing():
    # two people of one name whose mailboxes differ only by a dot (one mailbox at some providers only)
    accounts = [
        {
            "first_name": "John",
            "last_name": "Thompson",
            "date_of_birth": "1990-12-31",
            "street": "140 Valley Blvd",
            "city": "Eugene",
            "postcode": "97401",
            "state": "OR",
            "email": "john.thompson@mail.com",
            "phone": "15415550132",
        },
    ] + BYSTANDERS[:3]
    loyalty = [
        {
            "first_name": "John",
            "last_name": "Thompson",
            "street": "1324 River Ave",
            "city": "Medford",
            "postcode": "97501",
            "state": "OR",
            "email": "johnthompson@mail.com",
            "phone": "15415550133",
        },
    ] + BYSTANDERS[3:]
    result = resolve_identities(frames(accounts=with_ids("A", accounts), loyalty=with_ids("L", loyalty)))

    assert customer_holding(result, "account_id", "A0") != customer_holding(result, "loyalty_id", "L0")
    links = result.links[result.links["kind"] == "probabilistic"]
    assert not ((links["left_value"] == "L0") | (links["right_value"] == "L0")).any()
