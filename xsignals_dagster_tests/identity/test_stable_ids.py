"""Customer ids across runs: stable as data arrives, merges and splits recorded, anonymous stitched."""

from __future__ import annotations

import pandas as pd

from xsignals_dagster.identity import resolve_identities
from xsignals_dagster.identity.stable_ids import assign_customer_ids

from .builders import customer_holding, frames

ANN = {"loyalty_id": "L9", "first_name": "Ann", "last_name": "Lee", "date_of_birth": "1991-06-02", "postcode": "97209"}


def first_run() -> dict[str, list[dict]]:
    return {
        "accounts": [{"account_id": "A1", "first_name": "Raj", "last_name": "Patel", "email": "raj@mail.com"}],
        "web": [
            {"event_id": "w1", "cookie_id": "c1", "account_id": "A1"},
            {"event_id": "w2", "cookie_id": "c2", "account_id": "A1"},
            {"event_id": "w3", "cookie_id": "c7"},
        ],
        "pos": [{"transaction_id": "t1", "loyalty_id": "L9", "payment_token": "p9"}],
        "loyalty": [ANN],
    }


def changes(result) -> set[tuple]:
    return set(result.id_changes.astype(object).where(result.id_changes.notna(), None).itertuples(index=False, name=None))


def test_reruns_give_the_same_ids():
    once, twice = resolve_identities(frames(**first_run())), resolve_identities(frames(**first_run()))
    assert once.customer_identifiers.equals(twice.customer_identifiers)
    assert {change for _, _, change in changes(once)} == {"new"}
    assert once.customer_identifiers["customer_id"].str.fullmatch(r"C[0-9a-f]{10}").all()


def test_ids_hold_as_data_arrives():
    before = resolve_identities(frames(**first_run()))
    more = first_run()
    more["web"] += [{"event_id": "w4", "cookie_id": "c3", "account_id": "A1"}, {"event_id": "w5", "cookie_id": "c8"}]
    after = resolve_identities(frames(**more), previous=before.customer_identifiers)

    for id_type, id_value in [("account_id", "A1"), ("loyalty_id", "L9"), ("cookie_id", "c7")]:
        assert customer_holding(after, id_type, id_value) == customer_holding(before, id_type, id_value)
    assert customer_holding(after, "cookie_id", "c3") == customer_holding(before, "account_id", "A1")
    assert changes(after) == {(None, customer_holding(after, "cookie_id", "c8"), "new")}


def test_a_new_link_merges_into_the_customer_with_more_identifiers():
    before = resolve_identities(frames(**first_run()))
    raj, ann = customer_holding(before, "account_id", "A1"), customer_holding(before, "loyalty_id", "L9")
    linked = first_run()
    linked["preferences"] = [{"record_id": "r1", "account_id": "A1", "loyalty_id": "L9"}]
    after = resolve_identities(frames(**linked), previous=before.customer_identifiers)

    # Raj had 4 identifiers (account, email, 2 cookies), Ann 2 (loyalty id, payment token): Raj's id survives.
    assert customer_holding(after, "loyalty_id", "L9") == customer_holding(after, "account_id", "A1") == raj
    assert changes(after) == {(ann, raj, "merge")}
    assert after.metrics["ids_merge"] == 1


def test_anonymous_customer_keeps_its_id_when_it_becomes_known():
    before = resolve_identities(frames(**first_run()))
    anonymous = customer_holding(before, "cookie_id", "c7")
    assert not before.customers.set_index("customer_id").loc[anonymous, "is_known"]

    logged_in = first_run()
    logged_in["web"].append({"event_id": "w6", "cookie_id": "c7", "account_id": "A7"})
    after = resolve_identities(frames(**logged_in), previous=before.customer_identifiers)

    assert customer_holding(after, "account_id", "A7") == anonymous
    assert after.customers.set_index("customer_id").loc[anonymous, "is_known"]
    assert after.id_changes.empty


def test_anonymous_customer_merges_into_a_larger_known_one():
    before = resolve_identities(frames(**first_run()))
    raj, anonymous = customer_holding(before, "account_id", "A1"), customer_holding(before, "cookie_id", "c7")
    logged_in = first_run()
    logged_in["web"].append({"event_id": "w6", "cookie_id": "c7", "account_id": "A1"})
    after = resolve_identities(frames(**logged_in), previous=before.customer_identifiers)

    assert customer_holding(after, "cookie_id", "c7") == raj
    assert changes(after) == {(anonymous, raj, "merge")}


def test_split_leaves_the_id_with_the_larger_part():
    previous = pd.DataFrame(
        {
            "customer_id": ["C-old", "C-old", "C-old", "C-gone"],
            "id_type": ["account_id", "cookie_id", "account_id", "cookie_id"],
            "id_value": ["A1", "c1", "A2", "c-erased"],
        }
    )
    current = pd.DataFrame({"cluster": [0, 0, 1], "id_type": ["account_id", "cookie_id", "account_id"], "id_value": ["A1", "c1", "A2"]})
    ids, id_changes = assign_customer_ids(current, previous)

    assert ids[0] == "C-old" and ids[1] != "C-old"
    assert set(id_changes.astype(object).itertuples(index=False, name=None)) == {("C-old", ids[1], "split"), ("C-gone", pd.NA, "retired")}
