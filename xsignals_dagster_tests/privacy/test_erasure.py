"""Erasure reaches every table, survives a re-run and a re-delivered file, keeps only hashes."""

from __future__ import annotations

import json

import dagster as dg
import pytest
import sqlalchemy as sa

from xsignals_dagster.contract.tables import IDENTITY_TABLES, MATCH_MODEL_TABLE
from xsignals_dagster.privacy.erasure import find_erased
from xsignals_dagster.warehouse import WarehouseStore
from xsignals_dagster_tests.ingest.landing_files import land
from xsignals_dagster_tests.pipeline import run_pipeline
from xsignals_dagster_tests.warehouse_diff import table_difference

ERASED = {
    "email": "ann.lee@example.com",
    "phone": "14155550123",
    "account_id": "A1",
    "cookie_id": "cookie-ann",
    "loyalty_id": "L1",
}
KEPT = {"email": "bob.ray@example.net", "account_id": "A2", "cookie_id": "cookie-bob"}

WEB = "event_id,ts,cookie_id,event_type,account_id,email,product_id,category\n"
# A web extract with a column beyond the contract, loaded into `extra`.
WEB_WITH_CONTACT = "event_id,ts,cookie_id,event_type,account_id,email,product_id,category,contact\n"


def land_day_one(landing):
    land(
        landing,
        "accounts/2026-11-20.csv",
        "account_id,updated_at,first_name,last_name,email,phone,city\n"
        "A1,2026-11-20,Ann,Lee, Ann.Lee@Example.com ,(415) 555-0123,Boston\n"
        "A2,2026-11-20,Bob,Ray,bob.ray@example.net,,Austin\n",
    )
    land(
        landing,
        "loyalty/2026-11-20.csv",
        "loyalty_id,updated_at,first_name,last_name,email\nL1,2026-11-20,Ann,Lee,ann.lee@example.com\n",
    )
    land(
        landing,
        "web/2026-11-20.csv",
        WEB
        + "w1,2026-11-20T10:00:00,cookie-ann,product_view,A1,,P1,shoes\n"
        + "w2,2026-11-20T10:05:00,cookie-ann,product_view,,,P2,shoes\n"
        # rejected: its raw values hold her email
        + "w3,not-a-time,cookie-ann,product_view,,ann.lee@example.com,P1,shoes\n"
        + "w4,2026-11-20T11:00:00,cookie-bob,search,A2,,,\n",
    )
    # A stranger's browsing whose only trace of her is her phone in an extra column.
    land(
        landing,
        "web/2026-11-20-extra.csv",
        WEB_WITH_CONTACT + "w5,2026-11-20T12:00:00,cookie-zed,page_view,,,,shoes,415.555.0123\n",
    )
    land(
        landing,
        "pos/2026-11-20-store001.csv",
        "transaction_id,line_no,ts,store_id,amount,loyalty_id,product_id\nT1,1,2026-11-20T15:00,S1,80,L1,P1\n",
    )
    land(
        landing,
        "preferences/2026-11-20.csv",
        "record_id,ts,email,consent_email,consent_personalization\nr1,2026-11-20,ann.lee@example.com,true,true\nr2,2026-11-20,bob.ray@example.net,true,true\n",
    )


def values_in(store: WarehouseStore) -> set[str]:
    """Every value of every table the project wrote (JSON cells opened up), lower-cased."""
    values: set[str] = set()
    for name in sa.inspect(store.engine).get_table_names():
        for cell in store.read_table(name).astype(str).to_numpy().ravel():
            values.add(cell.lower())
            if cell.startswith(("{", "[")):
                values.update(str(v).lower() for v in _json_values(json.loads(cell)))
    return values


def _json_values(value) -> list:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _json_values(v)]
    if isinstance(value, list):
        return [x for v in value for x in _json_values(v)]
    return [value]


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def test_erasure_reaches_every_table_and_stays(instance, landing, warehouse_url):
    store = WarehouseStore(warehouse_url)
    land_day_one(landing)
    run_pipeline(instance, landing, warehouse_url)
    before = values_in(store)
    assert all(v.lower() in before for v in ERASED.values())
    erased_customer = store.read_table("customer_identifiers").query("id_value == 'A1'")["customer_id"].item()

    land(landing, "erasure/2026-11-21.csv", "request_id,ts,email\nE1,2026-11-21,ANN.LEE@example.com\n")
    run_pipeline(instance, landing, warehouse_url)
    after = values_in(store)
    for value in ERASED.values():
        assert value.lower() not in after, value
    assert erased_customer.lower() not in after
    assert all(v.lower() in after for v in KEPT.values())  # nobody else is touched
    audit = store.read_table("erasure_audit")
    assert list(audit["request_id"]) == ["E1"] and audit["customers_matched"].item() == 1
    removed = json.loads(audit["rows_removed"].item())
    assert removed["stg_web"] == 3 and removed["rejected_rows"] == 1 and removed["customer_identifiers"] >= 5
    assert "w5" not in set(store.read_table("stg_web")["event_id"])  # her phone was among its extra columns

    # Re-run, and a file re-delivered with her in it under a new name: nothing of hers comes back;
    # nor does her email in an extra column of someone else's row.
    land(
        landing,
        "web/2026-11-22-resent.csv",
        WEB + "w9,2026-11-22T09:00:00,cookie-ann,product_view,A1,,P1,shoes\n",
    )
    land(
        landing,
        "web/2026-11-22-extra.csv",
        WEB_WITH_CONTACT + "w10,2026-11-22T10:00:00,cookie-zed,page_view,,,,,Ann.Lee@example.com\n",
    )
    run_pipeline(instance, landing, warehouse_url)
    final = values_in(store)
    for value in ERASED.values():
        assert value.lower() not in final, value
    rejected = store.read_table("rejected_rows")
    erased_rows = rejected[rejected["reason"] == "erased"]
    assert {"web/2026-11-22-resent.csv", "web/2026-11-22-extra.csv"} <= set(erased_rows["path"])
    assert erased_rows["raw"].isna().all()
    files = store.read_table("ingested_files").set_index("path")
    assert files.loc["web/2026-11-22-resent.csv", "rows_rejected"] == 1  # counted, values not kept
    suppression = store.read_table("erasure_suppression")
    assert suppression["identifier_hash"].str.fullmatch(r"[0-9a-f]{64}").all()
    check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [dg.AssetCheckKey(dg.AssetKey("erasures"), "no_erased_identifiers")]
    )
    assert next(iter(check.values())).event.dagster_event.event_specific_data.passed


def test_identity_after_an_erasure_is_what_the_next_run_resolves(instance, landing, warehouse_url):
    """Her records no longer shape how anyone else is linked: identity is resolved again from what
    remains, so the next run leaves every identity table as the erasing run did. Before, the next run's
    matcher, fitted without her, had other m and u, and a run killed after the erasure re-ran to other
    match probabilities than a clean run."""
    store = WarehouseStore(warehouse_url)
    land_day_one(landing)
    run_pipeline(instance, landing, warehouse_url)
    land(landing, "erasure/2026-11-21.csv", "request_id,ts,email\nE1,2026-11-21,ann.lee@example.com\n")
    run_pipeline(instance, landing, warehouse_url)
    identity = (*IDENTITY_TABLES, MATCH_MODEL_TABLE)
    after_erasure = {name: store.read_table(name) for name in identity}
    run_pipeline(instance, landing, warehouse_url)
    differences = [table_difference(name, store.read_table(name), after_erasure[name]) for name in identity]
    assert [d for d in differences if d] == []
    assert ERASED["account_id"] not in set(after_erasure["customer_identifiers"]["id_value"])


def test_a_check_after_a_clean_one_still_finds_what_a_changed_table_brought_back(
    instance, landing, warehouse_url
):
    """The check skips what has not changed since it last came out clean, and nothing else: an
    erased identifier written after it, into a partition (new rows, or rewritten by ingestion)
    or into a table checked in full, is found, and found again until it is gone."""
    store = WarehouseStore(warehouse_url)
    land_day_one(landing)
    land(landing, "erasure/2026-11-21.csv", "request_id,ts,email\nE1,2026-11-21,ann.lee@example.com\n")
    run_pipeline(instance, landing, warehouse_url)
    assert store.count("erasure_verification") > 0
    assert find_erased(store, "US") == {}

    def execute(statement: str) -> None:
        with store.transaction() as tx:
            tx.connection.execute(sa.text(statement))

    execute(
        "INSERT INTO stg_web (event_id, ts, cookie_id, event_type, source_path, source_row, extract_date) "
        "VALUES ('w99', '2026-11-20 12:00:00', 'cookie-ann', 'page_view', "
        "'web/2026-11-20.csv', 99, '2026-11-20')"
    )
    execute(
        "INSERT INTO customer_identifiers (customer_id, id_type, id_value) VALUES ('c-x', "
        "'email', 'ann.lee@example.com')"
    )
    assert find_erased(store, "US") == {"stg_web": 1, "customer_identifiers": 1}
    execute("DELETE FROM customer_identifiers WHERE customer_id = 'c-x'")
    assert find_erased(store, "US") == {"stg_web": 1}
    execute("DELETE FROM stg_web WHERE event_id = 'w99'")
    assert find_erased(store, "US") == {}

    # A partition rewritten with as many rows as before: its ingestion time tells.
    execute("UPDATE stg_web SET account_id = 'A1' WHERE event_id = 'w4'")
    execute("UPDATE ingested_files SET ingested_at = '2099-01-01 00:00:00' WHERE path = 'web/2026-11-20.csv'")
    assert find_erased(store, "US") == {"stg_web": 1}
