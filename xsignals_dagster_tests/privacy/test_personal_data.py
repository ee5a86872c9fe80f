"""Personal data stays where it belongs: derived tables carry customer ids, never names,
emails, phones, addresses or touchpoint identifiers, by column or by value."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pandas as pd
import sqlalchemy as sa

from xsignals_dagster.contract.vocabularies import IDENTIFIER_TYPES
from xsignals_dagster.demo.generate import generate
from xsignals_dagster.warehouse import WarehouseStore
from xsignals_dagster_tests.pipeline import run_pipeline

# Where personal data belongs: the sources, identity, bookkeeping of source rows, erasure.
PERSONAL_DATA_TABLES = {
    "customer_identifiers",
    "customer_records",
    "identity_links",
    "shared_identifiers",
    "identity_match_model",
    "rejected_rows",
    "erasure_suppression",
    "erasure_audit",
    "privacy_salt",
}
PERSONAL_COLUMNS = {"first_name", "last_name", "street", "postcode", "date_of_birth", *IDENTIFIER_TYPES}


def test_derived_tables_hold_no_personal_data(tmp_path):
    generate(300, 5, seed=4, out=tmp_path / "zone", end_date=dt.date(2026, 11, 21))
    url = f"sqlite:///{tmp_path / 'w.db'}"
    with dg.instance_for_test() as instance:
        run_pipeline(instance, tmp_path / "zone" / "landing", url)
    store = WarehouseStore(url)
    people = pd.concat(
        [store.read_table(t) for t in ("stg_accounts", "stg_loyalty", "stg_service")], ignore_index=True
    )
    personal_values = {
        str(v).lower()
        for c in ("first_name", "last_name", "email", "phone", "street", "postcode")
        for v in people[c].dropna()
    }
    personal_values -= {str(v).lower() for v in people["city"].dropna()}  # "Austin" the name is also the city
    assert len(personal_values) > 100

    derived = [
        t
        for t in sa.inspect(store.engine).get_table_names()
        if not t.startswith("stg_") and t not in PERSONAL_DATA_TABLES
    ]
    assert {
        "customer_profiles",
        "intent_scores",
        "next_best_actions",
        "behavioral_signals",
        "customer_consents",
    } <= set(derived)
    for table in derived:
        frame = store.read_table(table)
        assert not PERSONAL_COLUMNS & set(frame.columns), table
        text = frame.select_dtypes(include="object")
        values = {str(v).lower() for v in text.to_numpy().ravel() if v is not None}
        assert not values & personal_values, (table, sorted(values & personal_values)[:5])
