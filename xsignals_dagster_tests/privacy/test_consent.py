"""Consent state: opt-in, later withdrawal, email unsubscribe/complaint, empty = unchanged."""

from __future__ import annotations

import pandas as pd
import pytest

from xsignals_dagster.contract.vocabularies import CONSENT_COLUMNS
from xsignals_dagster.privacy import consent_state
from xsignals_dagster_tests.signals.fixtures import source_frames

DAY_1, DAY_2, DAY_3, DAY_4 = (pd.Timestamp(f"2026-05-0{d} 12:00") for d in (1, 2, 3, 4))
LATER = pd.Timestamp("2026-06-01")


def statement(customer: str, ts: pd.Timestamp, **values) -> dict:
    return {"customer": customer, "ts": ts, "account_id": f"acc-{customer}", **values}


def email_event(customer: str, ts: pd.Timestamp, event_type: str) -> dict:
    return {"customer": customer, "ts": ts, "email": f"{customer}@example.com", "event_type": event_type}


def state(
    preferences: list[dict], emails: list[dict] = (), as_of: pd.Timestamp = LATER, web: list[dict] = ()
) -> pd.DataFrame:
    frames, record_customers = source_frames(
        {"preferences": preferences, "email": list(emails), "web": list(web)}
    )
    return consent_state(frames, record_customers, as_of)


def test_nothing_is_consented_without_a_grant():
    visitor = {"customer": "vi", "ts": DAY_1, "cookie_id": "c", "event_type": "page_view"}
    consent = state([statement("al", DAY_1, preferred_channel="sms")], web=[visitor])
    assert set(consent.index) == {"al", "vi"}
    assert not consent[list(CONSENT_COLUMNS)].any().any()
    assert consent.loc["al", "preferred_channel"] == "sms" and pd.isna(consent.loc["vi", "preferred_channel"])
    assert consent.dtypes[list(CONSENT_COLUMNS)].eq(bool).all()


def test_grant_holds_until_a_later_withdrawal():
    rows = [
        statement("al", DAY_1, consent_push=True, consent_sms=True),
        statement("al", DAY_3, consent_push=False),
    ]
    assert state(rows, as_of=DAY_2).loc["al", ["consent_push", "consent_sms"]].tolist() == [True, True]
    assert state(rows).loc["al", ["consent_push", "consent_sms"]].tolist() == [False, True]
    regranted = [*rows, statement("al", DAY_4, consent_push=True)]
    assert state(regranted).loc["al", "consent_push"]


def test_an_empty_value_leaves_the_state_unchanged():
    rows = [
        statement("al", DAY_1, consent_email=True, consent_location=True, preferred_channel="email"),
        statement(
            "al",
            DAY_2,
            consent_email=None,
            consent_location=None,
            consent_personalization=True,
            preferred_channel=None,
        ),
    ]
    consent = state(rows).loc["al"]
    assert consent["consent_email"] and consent["consent_location"] and consent["consent_personalization"]
    assert consent["preferred_channel"] == "email"


@pytest.mark.parametrize("withdrawal", ["unsubscribe", "complaint"])
def test_unsubscribe_or_complaint_withdraws_email_only(withdrawal):
    rows = [statement("al", DAY_1, consent_email=True, consent_push=True)]
    emails = [email_event("al", DAY_2, "open"), email_event("al", DAY_3, withdrawal)]
    assert state(rows, emails, as_of=DAY_2).loc["al", "consent_email"]
    consent = state(rows, emails).loc["al"]
    assert not consent["consent_email"] and consent["consent_push"]
    assert state([*rows, statement("al", DAY_4, consent_email=True)], emails).loc["al", "consent_email"]


def test_withdrawal_at_the_same_instant_as_a_grant_wins():
    assert not state(
        [statement("al", DAY_2, consent_email=True)], [email_event("al", DAY_2, "unsubscribe")]
    ).loc["al", "consent_email"]


def test_rows_at_the_same_instant_follow_their_landing_order():
    rows = [statement("al", DAY_1, consent_sms=True), statement("al", DAY_1, consent_sms=False)]
    assert not state(rows).loc["al", "consent_sms"]


def test_only_the_customers_own_records_count():
    rows = [statement("al", DAY_1, consent_email=True), statement("bo", DAY_1, consent_email=True)]
    consent = state(rows, [email_event("bo", DAY_2, "unsubscribe"), email_event(None, DAY_2, "complaint")])
    assert consent.loc["al", "consent_email"] and not consent.loc["bo", "consent_email"]
