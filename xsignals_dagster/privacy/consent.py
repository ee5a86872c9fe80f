"""Consent state of every customer at a point in time (CONTRACT §1, consent is opt-in).

A channel counts as consented only after a `preferences` row granted it, and until a
later row withdrew it; for email an `unsubscribe` or `complaint` email event withdraws
it too. An empty `consent_*` value in a preferences row leaves the state unchanged.
Rows are ordered by `ts`, then by where they landed (`source_path`, `source_row`); at
the same instant an email withdrawal beats a preferences grant. A customer without any
statement has consented to nothing.
"""

from __future__ import annotations

import pandas as pd

from xsignals_dagster.contract.vocabularies import CONSENT_COLUMNS
from xsignals_dagster.ingest.records import SourceRecords

EMAIL_WITHDRAWALS = ("unsubscribe", "complaint")
_STATEMENT_ORDER = ["ts", "source_path", "source_row"]


def latest_statements(records: SourceRecords, columns: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per customer code the latest non-empty value of each `preferences` column, and when
    it was stated (`ts`), as two frames with those columns; NA where never stated."""
    statements = records.rows("preferences", [*_STATEMENT_ORDER, *columns]).sort_values(_STATEMENT_ORDER)
    latest = {
        column: statements[statements[column].notna().to_numpy()]
        .drop_duplicates("customer", keep="last")
        .set_index("customer")
        for column in columns
    }
    values = pd.DataFrame(
        {column: rows[column] for column, rows in latest.items()}, index=records.all_customers
    )
    stated_at = pd.DataFrame(
        {column: rows["ts"] for column, rows in latest.items()}, index=records.all_customers
    )
    return values, stated_at


def consent_by_customer(records: SourceRecords) -> pd.DataFrame:
    """`consent_*` (bool) and `preferred_channel` (str, NA if never stated) per customer code,
    for every customer that owns a record."""
    values, stated_at = latest_statements(records, [*CONSENT_COLUMNS, "preferred_channel"])
    email = records.rows("email", ["ts", "event_type"])
    withdrawn_at = (
        email[email["event_type"].isin(EMAIL_WITHDRAWALS).to_numpy()].groupby("customer")["ts"].max()
    )
    withdrawn_at = withdrawn_at.reindex(records.all_customers)
    state = values[list(CONSENT_COLUMNS)].astype("boolean").fillna(False).astype(bool)
    state["consent_email"] &= ~(withdrawn_at >= stated_at["consent_email"]).to_numpy()
    state["preferred_channel"] = values["preferred_channel"].astype(object)
    return state


def consent_state(
    frames: dict[str, pd.DataFrame], record_customers: pd.DataFrame, as_of: pd.Timestamp
) -> pd.DataFrame:
    """Consent as of `as_of`, one row per customer of `record_customers`, indexed by
    `customer_id`: `consent_email`, `consent_push`, `consent_sms`, `consent_location`,
    `consent_personalization` (bool) and `preferred_channel` (str or NA)."""
    records = SourceRecords(frames, record_customers, as_of)
    return records.by_customer_id(consent_by_customer(records))
