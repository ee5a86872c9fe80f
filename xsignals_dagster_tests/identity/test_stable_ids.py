"""Customer ids across runs: stable as data arrives, merges and splits recorded, anonymous stitched."""

from __future__ import annotations

import pandas as pd

from xsignals_dagster.identity import resolve_identities
from xsignals_dagster.identity.stable_ids import assign_customer_ids

from .builders import customer_holding, frames

ANN = {
    "loyalty_id": "L9",
    "first_name": "Ann",
    "last_name": "Lee",
    "date_of_birth": "1991-06-02",
    "postcode": "97209",
}


def first_run() -> dict[str, list[dict]]:
    return {
        "accounts": [
            {"account_id": "A1", "first_name": "Raj", "last_name": "Patel", "email": "raj@mail.com"}
        ],
        "web": [
            {"event_id": "w1", "cookie_id": "c1", "account_id": "A1"},
            {"event_id": "w2", "cookie_id": "c2", "account_id": "A1"},
            {"event_id": "w3", "cookie_id": "c7"},
        ],
        "pos": [{"transaction_id": "t1", "loyalty_id": "L9", "payment_token": "p9"}],
        "loyalty": [ANN],
    }


def changes(result) -> set[tuple]:
    return set(
        result.id_changes.astype(object)
        .where(result.id_changes.notna(), None)
        .itertuples(index=False, name=None)
    )


def test_reruns_give_the_same_ids():
    once, twice = resolve_identities(frames(**first_run())), resolve_identities(frames(**first_run()))
    assert once.customer_identifiers.equals(twice.customer_identifiers)
    assert {change for _, _, change in changes(once)} == {"new"}
    assert once.customer_identifiers["customer_id"].str.fullmatch(r"C[0-9a-f]{10}").all()


def test_ids_hold_as_data_arrives():
    before = resolve_identities(frames(**first_run()))
    more = first_run()
    more["web"] += [
        {"event_id": "w4", "cookie_id": "c3", "account_id": "A1"},
        {"event_id": "w5", "cookie_id": "c8"},
    ]
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
    current = pd.DataFrame(
        {
            "cluster": [0, 0, 1],
            "id_type": ["account_id", "cookie_id", "account_id"],
            "id_value": ["A1", "c1", "A2"],
        }
    )
    ids, id_changes = assign_customer_ids(current, previous)

    assert ids[0] == "C-old" and ids[1] != "C-old"
    assert set(id_changes.astype(object).itertuples(index=False, name=None)) == {
        ("C-old", ids[1], "split"),
        ("C-gone", pd.NA, "retired"),
    }


def test_ids_hold_on_a_generated_zone_when_one_more_day_lands(tmp_path):
    """Landed through the contract: the last extract date arrives after a first resolution."""
    import datetime as dt

    from xsignals_dagster.contract.sources import SOURCES
    from xsignals_dagster.demo.generate import generate
    from xsignals_dagster.identity import id_stability
    from xsignals_dagster.ingest.frames import load_source_frames
    from xsignals_dagster.ingest.landing import scan
    from xsignals_dagster.ingest.pipeline import ingest_source
    from xsignals_dagster.warehouse import WarehouseStore

    generate(500, 8, seed=3, out=tmp_path, end_date=dt.date(2026, 3, 31))
    landing, store = tmp_path / "landing", WarehouseStore(f"sqlite:///{tmp_path / 'warehouse.db'}")
    landed, _ = scan(landing)
    dates = sorted({f.extract_date for f in landed})
    sources = [s for s in SOURCES if s != "erasure"]

    def land(chosen: list[str]) -> dict[str, pd.DataFrame]:
        for source in ["erasure", *sources]:
            ingest_source(store, landing, source, chosen, "US")
        return load_source_frames(store, sources)

    before = resolve_identities(land(dates[:-1]))
    after = resolve_identities(land(dates[-1:]), previous=before.customer_identifiers)
    store.dispose()

    truth = pd.read_csv(tmp_path / "truth" / "records.csv", dtype=str).dropna(subset=["person_id"])
    truth = truth.drop_duplicates(["source", "record_key"])
    counts = id_stability(
        before.record_customers,
        after.record_customers,
        pd.Series(truth["person_id"].to_numpy(), index=truth["source"] + "/" + truth["record_key"]),
    )
    assert counts["customers"] > 500 and counts["unchanged"] > 0.95 * counts["customers"]
    assert counts["changed_share"] <= 0.005  # ids change only where the new day truly merges people


def test_id_stability_tells_true_merges_from_other_changes():
    from xsignals_dagster.identity import id_stability

    def rows(pairs: dict[str, str | None]) -> pd.DataFrame:
        return pd.DataFrame({"source": "web", "record_key": list(pairs), "customer_id": list(pairs.values())})

    before = rows({"a": "C1", "b": "C2", "c": "C3", "d": "C4", "e": "C5", "f": "C5"})
    after = rows({"a": "C1", "b": "C1", "c": "C1", "d": None, "e": "C5", "f": "C6", "g": "C7"})
    truth = pd.Series({"web/a": "p", "web/b": "p", "web/c": "q", "web/d": "r", "web/e": "s", "web/f": "s"})
    # C2 truly merged into C1; C3 (another person) did not; C4 lost its customer; C5 split
    assert id_stability(before, after, truth) == {
        "customers": 5,
        "unchanged": 1,
        "true_merges": 1,
        "erased": 0,
        "changed": 3,
        "changed_share": 0.6,
    }
