"""Fuzzy person matching: nicknames and typos link, households stay apart, no chaining."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from xsignals_dagster.identity import IdentitySettings, resolve_identities
from xsignals_dagster.identity.clusters import cluster_persons

from .builders import customer_holding, frames

# Unrelated people, so that every fixture also holds plenty of non-matching pairs.
BYSTANDERS = [
    {"first_name": first, "last_name": last, "date_of_birth": dob, "street": street, "city": "Portland", "postcode": postcode}
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
        {"first_name": "William", "last_name": "Turner", "date_of_birth": "1985-04-12", "street": "7 Elm Road", "city": "Salem", "postcode": "97301", "email": "w.turner@mail.com"},
        {"first_name": "Katherine", "last_name": "Lopez", "date_of_birth": "1990-03-07", "street": "51 Oak Street", "city": "Salem", "postcode": "97302", "phone": "15035550142"},
        {"first_name": "Jonathan", "last_name": "Reyes", "date_of_birth": "1977-11-23", "street": "230 River Drive", "city": "Eugene", "postcode": "97401"},
        {"first_name": "Thi", "last_name": "Nguyen", "date_of_birth": "1988-01-30", "street": "4 Hill Place", "city": "Eugene", "postcode": "97402"},
    ] + BYSTANDERS[:3]
    loyalty = [
        {"first_name": "Bill", "last_name": "Turner", "date_of_birth": "1985-04-12", "street": "7 Elm Rd", "city": "Salem", "postcode": "97301"},
        {"first_name": "Kate", "last_name": "Lopez", "date_of_birth": "1990-07-03", "street": "51 Oak St", "city": "Salem", "postcode": "97302", "phone": "15035550142"},
        {"first_name": "Jonathon", "last_name": "Reyes", "date_of_birth": "1977-11-23", "street": "230 River Dr", "city": "Eugene", "postcode": "97401"},
        {"first_name": "Nguyen", "last_name": "Thi", "date_of_birth": "1988-01-30", "street": "4 Hill Pl", "city": "Eugene", "postcode": "97402"},
    ] + BYSTANDERS[3:]
    result = resolve_identities(frames(accounts=with_ids("A", accounts), loyalty=with_ids("L", loyalty)))

    for i in range(4):
        assert customer_holding(result, "account_id", f"A{i}") == customer_holding(result, "loyalty_id", f"L{i}")
    assert result.customers.shape[0] == 4 + len(BYSTANDERS)
    links = result.links[result.links["kind"] == "probabilistic"]
    bill = links[(links["left_value"] == "L0") | (links["right_value"] == "L0")]
    assert json.loads(bill["evidence"].iloc[0])["first_name"] == "close_or_nickname"
    assert (bill["match_probability"] >= IdentitySettings().match_threshold).all()


def test_household_members_stay_apart():
    household = {"last_name": "Smith", "street": "12 Oak Street", "city": "Bend", "postcode": "97701", "phone": "15415550100", "email": "smiths@mail.com"}
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
        weights = [self.weights[(max(a, b), min(a, b))] for a, b in zip(left, right)]
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
    capped = cluster_persons(groups, np.ones(4), profiles, StubScores(everyone_alike), IdentitySettings(max_cluster_size=2))
    assert sorted(np.bincount(capped.group)[np.bincount(capped.group) > 0]) == [2, 2]
    assert capped.refused["too_big"].all()
