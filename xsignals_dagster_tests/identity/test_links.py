"""identity_links explains the household and shared-device decisions: why two records were kept apart."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from xsignals_dagster.identity import IdentitySettings, resolve_identities

from .builders import HOME, HOUSEHOLD_OF_FIVE, customer_holding, family_tablet, frames, loyalty_roster


def kept_apart(result, reason: str) -> pd.DataFrame:
    rows = result.links[result.links["kind"] == "kept_apart"]
    evidence = rows["evidence"].map(json.loads)
    return rows.assign(evidence=evidence)[evidence.map(lambda e: e["reason"]) == reason]


def sides(rows: pd.DataFrame) -> set[frozenset[str]]:
    return {
        frozenset((left, right)) for left, right in zip(rows["left_value"], rows["right_value"], strict=True)
    }


def test_a_household_of_five_says_which_members_a_household_blind_model_would_have_merged():
    """Five members at one address, no contact details; the form copied Diana's birth date onto Anna's record.
    A model blind to households links Anna and Diana (same surname, address and birth date); the household
    stratum keeps them apart, and the row says so with both weights."""
    (diana, diana_born), (anna, _), *children = HOUSEHOLD_OF_FIVE
    members = [(diana, diana_born), (anna, diana_born), *children]
    result = resolve_identities(frames(loyalty=loyalty_roster(members)))

    assert result.customers["customer_id"].nunique() == len(members)
    rows = kept_apart(result, "household")
    assert sides(rows) == {frozenset(("L0", "L1"))}
    row = rows.iloc[0]
    assert {row["customer_id"], row["right_customer_id"]} == {
        customer_holding(result, "loyalty_id", "L0"),
        customer_holding(result, "loyalty_id", "L1"),
    }
    evidence = row["evidence"]
    threshold_weight = np.log2(0.9 / 0.1)
    assert evidence["first_name"] == "different" and evidence["birth_date"] == "exact"
    assert evidence["household_blind_match_weight"] >= threshold_weight > evidence["match_weight"]
    assert result.metrics["links_kept_apart_household"] == 1


def test_a_family_tablet_two_accounts_log_into_is_a_kept_apart_row_naming_both():
    result = resolve_identities(frames(**family_tablet()))

    rows = kept_apart(result, "shared_identifier")
    assert len(rows) == 1 and sides(rows) == {frozenset(("A0", "A1"))}
    row = rows.iloc[0]
    assert {row["left_record"], row["right_record"]} == {"app:e0", "app:e1"}
    assert {row["customer_id"], row["right_customer_id"]} == {
        customer_holding(result, "account_id", "A0"),
        customer_holding(result, "account_id", "A1"),
    }
    assert row["evidence"]["shared_type"] == "device_id" and row["evidence"]["shared_value"] == "tablet"
    assert row["evidence"]["owners"] == 2
    assert result.metrics["links_kept_apart_shared_identifier"] == 1


def test_a_record_without_a_first_name_at_the_same_address_is_kept_apart_for_lack_of_personal_evidence():
    loyalty = [{"loyalty_id": "L0", **HOME, "first_name": "Diana", "date_of_birth": "1976-05-06"}]
    accounts = [{"account_id": "A0", **HOME}]  # no first name, no date of birth: a household, not a person
    result = resolve_identities(frames(loyalty=loyalty, accounts=accounts))

    rows = kept_apart(result, "no_personal_evidence")
    assert sides(rows) == {frozenset(("L0", "A0"))}
    row = rows.iloc[0]
    assert (
        row["match_probability"] >= IdentitySettings().match_threshold
    )  # likely, yet nothing personal agrees
    assert row["evidence"]["first_name"] == "missing" and row["evidence"]["birth_date"] == "missing"
    assert row["customer_id"] != row["right_customer_id"]


def test_a_merge_refused_for_a_conflicting_member_names_the_pair_that_conflicts():
    """Mark's account and a loyalty card carrying it are one group; the card's holder wrote "Mary", another
    birth date and her own phone. A service contact "Mark" matches the account, but with a phone on both
    sides Mary's birth date clearly conflicts with his, so the merge is refused."""
    mark = {**HOME, "first_name": "Mark", "date_of_birth": "1980-01-01"}
    accounts = [{"account_id": "A0", **mark, "phone": "2065550100"}]
    mary = {**HOME, "first_name": "Mary", "date_of_birth": "1983-07-21", "phone": "2065550142"}
    loyalty = [{"loyalty_id": "L0", "account_id": "A0", **mary}]
    service = [{"contact_id": "s0", **mark, "phone": "2065550199"}]
    result = resolve_identities(frames(accounts=accounts, loyalty=loyalty, service=service))

    rows = kept_apart(result, "conflicting_member")
    assert len(rows) == 1
    row = rows.iloc[0]
    assert {row["left_record"], row["right_record"]} == {"accounts:A0", "service:s0"}
    assert set(row["evidence"]["conflicting_records"]) == {"loyalty:L0", "service:s0"}


def test_accepted_links_read_as_before_and_stay_inside_one_customer():
    """William's loyalty card and his account as Bill link (probabilistic), his account and cookie
    (deterministic); the cookie Diana's account also logged into is kept apart."""
    loyalty = [{"loyalty_id": "L0", **HOME, "first_name": "William", "date_of_birth": "1980-02-14"}]
    moved = {**HOME, "street": "88 Lake View Rd", "city": "Seattle", "postcode": "98101"}
    accounts = [
        {"account_id": "A0", **moved, "first_name": "Bill", "date_of_birth": "1980-02-14"},
        {"account_id": "A1", **HOME, "first_name": "Diana", "date_of_birth": "1976-05-06"},
    ]
    web = [
        {"event_id": "w0", "cookie_id": "c0", "account_id": "A0"},
        {"event_id": "w1", "cookie_id": "family", "account_id": "A0"},
        {"event_id": "w2", "cookie_id": "family", "account_id": "A1"},
    ]
    result = resolve_identities(frames(loyalty=loyalty, accounts=accounts, web=web))

    links = result.links
    accepted = links[links["kind"].isin(["deterministic", "probabilistic"])]
    assert set(accepted["kind"]) == {"deterministic", "probabilistic"}
    assert (accepted["customer_id"] == accepted["right_customer_id"]).all()
    probabilistic = accepted[accepted["kind"] == "probabilistic"].iloc[0]
    assert sides(accepted[accepted["kind"] == "probabilistic"]) == {frozenset(("L0", "A0"))}
    assert list(json.loads(probabilistic["evidence"])) == [
        "first_name",
        "last_name",
        "birth_date",
        "street",
        "city",
        "postcode",
        "state",
        "email",
        "phone",
        "match_weight",
    ]
    apart = links[links["kind"] == "kept_apart"]
    assert len(apart) and (apart["customer_id"] != apart["right_customer_id"]).all()
    assert result.metrics["links_kept_apart"] == len(apart)
