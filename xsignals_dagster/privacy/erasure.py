"""Erasure: forget a person in every table the project writes, and keep them forgotten.

A request (by email, account id, loyalty id or phone; stored only as salted hashes) is
matched to customers through `customer_identifiers`. All of their identifiers join the
suppression list, and every row that holds one of them, belongs to one of those
customers, or (rejected rows) shows one in its raw values, is deleted, in every table
of the warehouse, whatever its partition. Ingestion then rejects later rows carrying
any of them as `erased`. An audit row per request says when and how many rows each
table lost, without the values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from xsignals_dagster.privacy.suppression import (
    Suppression,
    erasure_salt,
    erasure_suppression,
    hash_identifiers,
    privacy_salt,
    record_suppression,
)
from xsignals_dagster.warehouse import WarehouseStore
from xsignals_dagster.warehouse.store import utc_now

_metadata = sa.MetaData()
erasure_audit = sa.Table(
    "erasure_audit",
    _metadata,
    sa.Column("request_id", sa.Text, nullable=False),
    sa.Column("requested_at", sa.DateTime),
    sa.Column("processed_at", sa.DateTime, nullable=False),
    sa.Column("customers_matched", sa.BigInteger, nullable=False),
    sa.Column("identifiers_suppressed", sa.BigInteger, nullable=False),
    sa.Column("rows_removed", sa.Text, nullable=False),  # JSON: table -> rows
)
# The privacy tables themselves hold hashes and counts, never values.
PRIVACY_TABLES = {erasure_audit.name, erasure_suppression.name, privacy_salt.name, "stg_erasure"}
# Identifier columns as (type column, value column) pairs, besides the contract's own names.
TYPED_VALUE_COLUMNS = (("id_type", "id_value"), ("left_type", "left_value"), ("right_type", "right_value"))
REQUEST_COLUMNS = ("email", "account_id", "loyalty_id", "phone")


@dataclass
class ErasureReport:
    requests: int
    customers: int
    identifiers: int
    rows_removed: dict[str, int]


def _hash_pairs(frame: pd.DataFrame, type_column: str, value_column: str, salt: str) -> pd.Series:
    hashes = pd.Series(None, index=frame.index, dtype=object)
    for id_type, part in frame.groupby(type_column):
        hashes[part.index] = hash_identifiers(str(id_type), part[value_column], salt)
    return hashes


def erased_rows(frame: pd.DataFrame, suppression: Suppression, customers: frozenset[str], region: str) -> pd.Series:
    """Rows of any warehouse table that hold an erased identifier or belong to an erased customer."""
    hit = suppression.carries(frame)
    for column in frame.columns:
        if customers and (column == "customer_id" or column.endswith("_customer_id")):
            hit |= frame[column].isin(customers)
    for type_column, value_column in TYPED_VALUE_COLUMNS:
        if {type_column, value_column} <= set(frame.columns):
            hit |= _hash_pairs(frame, type_column, value_column, suppression.salt).isin(suppression.hashes)
    if "raw" in frame.columns:
        hit |= suppression.raw_holds(frame["raw"], region)
    return hit


def _tables(store: WarehouseStore) -> list[str]:
    return sorted(set(sa.inspect(store.engine).get_table_names()) - PRIVACY_TABLES)


def pending_requests(store: WarehouseStore) -> pd.DataFrame:
    if not store.has_table("stg_erasure"):
        return pd.DataFrame(columns=["request_id", "ts", *REQUEST_COLUMNS])
    requests = store.read_table("stg_erasure", columns=["request_id", "ts", *REQUEST_COLUMNS])
    if store.has_table(erasure_audit.name):
        done = store.read_table(erasure_audit.name, columns=["request_id"])["request_id"]
        requests = requests[~requests["request_id"].isin(done)]
    return requests.reset_index(drop=True)


def process_erasures(store: WarehouseStore, region: str) -> ErasureReport:
    """Carry out every request not processed yet; returns what was removed."""
    requests = pending_requests(store)
    if requests.empty:
        return ErasureReport(0, 0, 0, {})
    salt = erasure_salt(store)
    asked = requests.melt(id_vars=["request_id", "ts"], value_vars=list(REQUEST_COLUMNS), value_name="identifier_hash").dropna(subset=["identifier_hash"])
    identifiers = store.read_table("customer_identifiers") if store.has_table("customer_identifiers") else pd.DataFrame(columns=["customer_id", "id_type", "id_value"])
    identifiers["identifier_hash"] = _hash_pairs(identifiers, "id_type", "id_value", salt)
    matched = identifiers.merge(asked[["request_id", "identifier_hash"]], on="identifier_hash")[["customer_id", "request_id"]].drop_duplicates()
    erased_ids = identifiers.merge(matched, on="customer_id")[["identifier_hash", "request_id"]]
    suppression = pd.concat([erased_ids, asked[["identifier_hash", "request_id"]]], ignore_index=True)
    record_suppression(store, suppression)
    customers = frozenset(matched["customer_id"])
    removed = remove_erased(store, Suppression.load(store), customers, region)
    audit = requests[["request_id", "ts"]].rename(columns={"ts": "requested_at"}).assign(
        processed_at=utc_now(),
        customers_matched=requests["request_id"].map(matched.groupby("request_id").size()).fillna(0).astype("int64"),
        identifiers_suppressed=requests["request_id"].map(suppression.groupby("request_id")["identifier_hash"].nunique()).fillna(0).astype("int64"),
        rows_removed=json.dumps(removed),
    )
    with store.transaction() as tx:
        tx.ensure_table(erasure_audit)
        tx.insert(erasure_audit, audit)
    return ErasureReport(len(requests), len(customers), len(suppression["identifier_hash"].unique()), removed)


def remove_erased(store: WarehouseStore, suppression: Suppression, customers: frozenset[str], region: str) -> dict[str, int]:
    """Delete every erased row from every table, one transaction per table."""
    removed = {}
    for name in _tables(store):
        table = sa.Table(name, sa.MetaData(), autoload_with=store.engine)
        frame = store.read_table(name)
        hit = erased_rows(frame, suppression, customers, region)
        if not hit.any():
            continue
        with store.transaction() as tx:
            tx.delete(table)
            tx.insert(table, frame[~hit])
        removed[name] = int(hit.sum())
    return removed


def find_erased(store: WarehouseStore, region: str) -> dict[str, int]:
    """Tables still holding an erased identifier, with the number of rows (for the asset check)."""
    suppression = Suppression.load(store)
    if not suppression.hashes:
        return {}
    found = {}
    for name in _tables(store):
        count = int(erased_rows(store.read_table(name), suppression, frozenset(), region).sum())
        if count:
            found[name] = count
    return found
