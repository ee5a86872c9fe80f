"""Small hand-made source frames in the shape ``resolve_identities`` receives."""

from __future__ import annotations

import pandas as pd

TS = pd.Timestamp("2026-03-01 12:00:00")

KEY_COLUMN = {
    "web": "event_id",
    "app": "event_id",
    "email": "event_id",
    "store": "interaction_id",
    "loyalty": "loyalty_id",
    "accounts": "account_id",
    "service": "contact_id",
    "preferences": "record_id",
}

HOME = {
    "last_name": "Okafor",
    "street": "5112 145th St",
    "city": "Anytown",
    "postcode": "00000",
    "state": "WA",
}

HOUSEHOLD_OF_FIVE = [
    ("Diana", "1976-05-06"),
    ("Anna", "1979-09-29"),
    ("Marcus", "2004-11-03"),
    ("Leah", "2011-07-18"),
    ("Sam", "2019-03-03"),
]


def frame(source: str, rows: list[dict]) -> pd.DataFrame:
    """Rows as a loaded frame: record_key from the source's key (generated when absent), dates as datetime64.

    pos rows need a transaction_id (line_no defaults to 1).
    """
    table = pd.DataFrame(rows)
    key = KEY_COLUMN.get(source)
    if source == "pos":
        table["line_no"] = table["line_no"] if "line_no" in table else 1
        table["record_key"] = table["transaction_id"].astype(str) + ":" + table["line_no"].astype(str)
    elif key in table:
        table["record_key"] = table[key].astype(str)
    else:
        table["record_key"] = [f"{source}-{i}" for i in range(len(table))]
    if "date_of_birth" in table:
        table["date_of_birth"] = pd.to_datetime(table["date_of_birth"])
    table["updated_at" if source in ("loyalty", "accounts") else "ts"] = TS
    return table.astype({c: object for c in table.columns if table[c].dtype == object})


def frames(**sources: list[dict]) -> dict[str, pd.DataFrame]:
    return {source: frame(source, rows) for source, rows in sources.items()}


def loyalty_roster(members: list[tuple[str, str]]) -> list[dict]:
    """One loyalty record (L0, L1, ...) a (first name, birth date) member, all at HOME and without contact
    details, so only first name and birth date tell the members apart."""
    return [
        {"loyalty_id": f"L{i}", **HOME, "first_name": first_name, "date_of_birth": born}
        for i, (first_name, born) in enumerate(members)
    ]


def family_tablet() -> dict[str, list[dict]]:
    """Diana's and Marcus's accounts (A0, A1; one household) both log into one tablet, which also sends an
    event nobody is logged in on (e2): a device shared by two people, not evidence they are one."""
    return {
        "accounts": [
            {"account_id": "A0", **HOME, "first_name": "Diana", "date_of_birth": "1976-05-06"},
            {"account_id": "A1", **HOME, "first_name": "Marcus", "date_of_birth": "2004-11-03"},
        ],
        "app": [
            {"event_id": "e0", "device_id": "tablet", "account_id": "A0"},
            {"event_id": "e1", "device_id": "tablet", "account_id": "A1"},
            {"event_id": "e2", "device_id": "tablet"},
        ],
    }


def customer_of(result, source: str, record_key: str):
    """The customer id a record was resolved to (None when it has none)."""
    rows = result.record_customers
    value = rows.loc[(rows["source"] == source) & (rows["record_key"] == record_key), "customer_id"].iloc[0]
    return None if pd.isna(value) else value


def customer_holding(result, id_type: str, id_value: str):
    """The customer id listing an identifier (None when no customer lists it)."""
    rows = result.customer_identifiers
    match = rows.loc[(rows["id_type"] == id_type) & (rows["id_value"] == id_value), "customer_id"]
    return match.iloc[0] if len(match) else None
