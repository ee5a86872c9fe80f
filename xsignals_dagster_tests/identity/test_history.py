"""Customers as of a past day: split where the evidence joining them came later."""

from __future__ import annotations

import pandas as pd

from xsignals_dagster.identity.history import IdentityHistory


def _day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text) + pd.Timedelta(hours=12)


def _history(*extra_links: tuple[str, str, str]) -> IdentityHistory:
    """extra_links: (kind, left_record, right_record) rows added to identity_links."""
    web = pd.DataFrame(
        {
            "record_key": ["e1", "e4", "e2", "e3", "t1"],
            "ts": [
                _day("2026-03-01"),
                _day("2026-03-03"),
                _day("2026-03-02"),
                _day("2026-03-10"),
                _day("2026-03-02"),
            ],
            "cookie_id": ["c1", "c1", "c2", "c2", "c2"],  # c2 is also a family tablet of K2
            "account_id": ["a1", None, None, "a1", None],  # e3: the purchase that logs c2 in
        }
    )
    accounts = pd.DataFrame({"record_key": ["a2"], "updated_at": [_day("2026-03-01")], "account_id": ["a2"]})
    loyalty = pd.DataFrame({"record_key": ["L2"], "updated_at": [_day("2026-03-08")], "loyalty_id": ["L2"]})
    record_customers = pd.DataFrame(
        {
            "source": ["web"] * 5 + ["accounts", "loyalty"],
            "record_key": ["e1", "e4", "e2", "e3", "t1", "a2", "L2"],
            "customer_id": ["K1", "K1", "K1", "K1", "K2", "K3", "K3"],
        }
    )
    links = pd.DataFrame(
        [("probabilistic", "accounts:a2", "loyalty:L2"), *extra_links],
        columns=["kind", "left_record", "right_record"],
    )
    return IdentityHistory({"web": web, "accounts": accounts, "loyalty": loyalty}, record_customers, links)


def _parts(records: pd.DataFrame) -> dict[str, set[str]]:
    return records.groupby("customer_id")["record_key"].agg(set).to_dict()


def test_browsing_joins_its_customer_only_from_the_login_that_tied_it():
    history = _history()
    records, customers = history.customers_at(pd.Timestamp("2026-03-05 23:59:59"))
    assert _parts(records) == {"K1": {"e1", "e4"}, "K1~1": {"e2"}, "K2": {"t1"}, "K3": {"a2"}}
    known = customers.set_index("customer_id")
    assert known.loc["K1", "is_known"] and not known.loc["K1~1", "is_known"]
    assert known.loc["K1~1", "today_customer_id"] == "K1"

    records, _ = history.customers_at(pd.Timestamp("2026-03-10 23:59:59"))
    assert _parts(records)["K1"] == {"e1", "e2", "e3", "e4"}
    assert _parts(records)["K2"] == {"t1"}  # a shared cookie does not merge two of today's customers


def test_a_match_counts_once_both_records_exist():
    history = _history()
    before, _ = history.customers_at(pd.Timestamp("2026-03-05 23:59:59"))
    after, _ = history.customers_at(pd.Timestamp("2026-03-09 23:59:59"))
    assert "L2" not in set(before["record_key"])
    assert _parts(after)["K3"] == {"a2", "L2"}


def test_rows_that_explain_why_records_were_kept_apart_join_nothing():
    history = _history(("kept_apart", "web:t1", "accounts:a2"), ("kept_apart", "web:e1", "web:t1"))
    records, _ = history.customers_at(pd.Timestamp("2026-03-10 23:59:59"))
    assert _parts(records)["K2"] == {"t1"} and _parts(records)["K3"] == {"a2", "L2"}
