"""Deterministic identity graph: shared identifiers, junk values, the size cap."""

from __future__ import annotations

import json
import logging
from dataclasses import replace

import pandas as pd

from xsignals_dagster.identity import IdentitySettings, resolve_identities
from xsignals_dagster.identity.identifiers import junk_identifiers

from .builders import customer_holding, customer_of, frames


def test_store_kiosk_and_family_tablet_do_not_merge_people():
    data = frames(
        loyalty=[
            {"loyalty_id": "L1", "first_name": "Ana", "last_name": "Silva"},
            {"loyalty_id": "L2", "first_name": "Ben", "last_name": "Okafor"},
            {"loyalty_id": "L3", "first_name": "Chloe", "last_name": "Martin"},
        ],
        store=[
            {"interaction_id": "s1", "loyalty_id": "L1", "device_id": "kiosk-7"},
            {"interaction_id": "s2", "loyalty_id": "L2", "device_id": "kiosk-7"},
            {"interaction_id": "s3", "loyalty_id": "L3", "device_id": "kiosk-7"},
            {"interaction_id": "s4", "device_id": "kiosk-7"},
        ],
        web=[
            {"event_id": "w1", "cookie_id": "tablet", "account_id": "A1"},
            {"event_id": "w2", "cookie_id": "tablet", "account_id": "A2"},
            {"event_id": "w3", "cookie_id": "tablet"},
            {"event_id": "w4", "cookie_id": "phone-of-a1", "account_id": "A1"},
            {"event_id": "w5", "cookie_id": "phone-of-a1"},
        ],
    )
    result = resolve_identities(data)

    members = {customer_holding(result, "loyalty_id", f"L{i}") for i in (1, 2, 3)}
    assert len(members) == 3 and None not in members
    assert customer_holding(result, "account_id", "A1") != customer_holding(result, "account_id", "A2")
    # The shared values are listed under nobody, and records carrying only them are nobody's.
    shared = set(
        zip(result.shared_identifiers["id_type"], result.shared_identifiers["id_value"], strict=False)
    )
    assert {("device_id", "kiosk-7"), ("cookie_id", "tablet")} <= shared
    assert customer_holding(result, "device_id", "kiosk-7") is None
    assert customer_of(result, "store", "s4") is None and customer_of(result, "web", "w3") is None
    # Records that carry a personal id as well still reach their person.
    assert customer_of(result, "store", "s2") == customer_holding(result, "loyalty_id", "L2")
    # A cookie seen with one account only is that account's.
    assert customer_of(result, "web", "w5") == customer_holding(result, "account_id", "A1")
    assert result.metrics["shared_device_id"] == 1 and result.metrics["shared_cookie_id"] == 1


def test_junk_values_link_nobody():
    data = frames(
        accounts=[
            {
                "account_id": "A1",
                "first_name": "Dara",
                "last_name": "Quinn",
                "phone": "0000000000",
                "email": "noreply@shop.com",
            },
            {
                "account_id": "A2",
                "first_name": "Eli",
                "last_name": "Novak",
                "phone": "0000000000",
                "email": "noreply@shop.com",
            },
        ],
        web=[
            {"event_id": "w1", "cookie_id": "undefined", "account_id": "A1"},
            {"event_id": "w2", "cookie_id": "undefined", "account_id": "A2"},
            {"event_id": "w3", "cookie_id": "c3", "account_id": "unknown", "email": "null"},
            {"event_id": "w4", "cookie_id": "-1", "account_id": "0", "email": "test@shop.com"},
        ],
    )
    result = resolve_identities(data)

    assert customer_holding(result, "account_id", "A1") != customer_holding(result, "account_id", "A2")
    listed = set(result.customer_identifiers["id_value"])
    assert not listed & {
        "0000000000",
        "noreply@shop.com",
        "undefined",
        "unknown",
        "null",
        "-1",
        "0",
        "test@shop.com",
    }
    assert customer_of(result, "web", "w4") is None  # only junk
    assert customer_of(result, "web", "w3") == customer_holding(result, "cookie_id", "c3")
    assert result.metrics["junk_values_dropped"] == 8
    assert result.metrics["records_without_customer"] == 1


def test_junk_patterns_spare_real_values():
    settings = IdentitySettings()
    values = pd.DataFrame(
        [
            ("phone", "14155550123", False),
            ("phone", "15555555555", True),
            ("phone", "12345", True),
            ("phone", "11234567890", True),
            ("email", "jane.doe@example.com", False),
            ("email", "test@example.com", True),
            ("email", "no-reply@shop.com", True),
            ("email", "not-an-email", True),
            ("cookie_id", "3f9a2c", False),
            ("cookie_id", "00000000-0000-0000-0000-000000000000", True),
            ("loyalty_id", "N/A", True),
            ("loyalty_id", "L000123", False),
        ],
        columns=["id_type", "id_value", "junk"],
    )
    assert list(junk_identifiers(values["id_type"], values["id_value"], settings)) == list(values["junk"])


def test_cluster_size_cap_is_logged_and_counted(caplog):
    settings = replace(
        IdentitySettings(),
        shared_limits={**IdentitySettings().shared_limits, "device_id": 10},
        max_cluster_size=2,
    )
    data = frames(app=[{"event_id": f"e{i}", "device_id": "d1", "account_id": f"A{i}"} for i in range(3)])
    with caplog.at_level(logging.WARNING, logger="xsignals.identity"):
        result = resolve_identities(data, settings=settings)

    assert result.metrics["guard_violations"] == 1
    assert "cluster size cap" in caplog.text
    assert result.customers.shape[0] == 3  # the device joined nobody
    assert customer_holding(result, "device_id", "d1") is None


def test_every_record_is_listed_once_and_customers_add_up():
    data = frames(
        web=[
            {"event_id": "w1", "cookie_id": "c1"},
            {"event_id": "w2", "cookie_id": "c1", "account_id": "A1"},
        ],
        email=[{"event_id": "m1", "email": "gus.park@mail.com"}],
        service=[
            {
                "contact_id": "v1",
                "first_name": "Gus",
                "last_name": "Park",
                "account_id": "A1",
                "email": "gus.park@mail.com",
            }
        ],
    )
    result = resolve_identities(data)

    assert (
        len(result.record_customers) == 4
        and not result.record_customers.duplicated(["source", "record_key"]).any()
    )
    assert result.record_customers["customer_id"].nunique() == 1
    customer = result.customers.iloc[0]
    assert customer["is_known"] and customer["n_records"] == 4 and customer["n_identifiers"] == 3
    assert set(result.customer_identifiers["id_type"]) == {"cookie_id", "account_id", "email"}
    evidence = [json.loads(text) for text in result.links["evidence"]]
    assert {"seen_together_in_records", "example_record"} <= set(evidence[0])
    assert set(result.links["customer_id"]) == set(result.customers["customer_id"])
