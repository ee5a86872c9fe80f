"""Erasure: forget a person in every table the project writes, and keep them forgotten.

A request (by email, account id, loyalty id or phone; stored only as salted hashes) is
matched to customers through `customer_identifiers`. All of their identifiers join the
suppression list, and every row that holds one of them, belongs to one of those
customers, or shows one among its original values (a rejected row's raw values, a loaded
row's extra columns) is deleted, in every table of the warehouse, whatever its
partition. Ingestion then rejects later rows carrying any of them, in any column, as
`erased`. An audit row per request says when and how many rows each
table lost, without the values. When the staged rows of a source identity reads lost rows,
identity is resolved again from what remains (`identity.stored`): the erased person must not
shape how everyone else is linked, and the next run would resolve exactly that.

Neither the removal nor the check that nothing erased is left reads whole tables: they read
the distinct values of the columns that can hold an identifier, hash those, and delete or
count the rows by value in SQL. After a clean check, the next one against the same
suppression list skips the extract dates of the partitioned tables (staging, rejected
rows) whose row count and latest ingestion are unchanged since: only new data or a
changed partition can bring an identifier back. Tables without extract dates (identity,
rebuilt from staging on every run) are checked in full every time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from xsignals_dagster.contract.sources import IDENTITY_SOURCES, SOURCES
from xsignals_dagster.contract.tables import (
    erasure_audit,
    erasure_suppression,
    erasure_verification,
    ingested_files,
    privacy_salt,
)
from xsignals_dagster.contract.vocabularies import IDENTIFIER_TYPES
from xsignals_dagster.identity import resolve_stored_identities
from xsignals_dagster.ingest.suppression import (
    Suppression,
    erasure_salt,
    hash_identifiers,
    record_suppression,
)
from xsignals_dagster.warehouse import WarehouseStore
from xsignals_dagster.warehouse.store import utc_now

# The privacy tables themselves hold hashes and counts, never values.
PRIVACY_TABLES = {
    erasure_audit.name,
    erasure_suppression.name,
    erasure_verification.name,
    privacy_salt.name,
    "stg_erasure",
}
# Identifier columns as (type column, value column) pairs, besides the contract's own names.
TYPED_VALUE_COLUMNS = (("id_type", "id_value"), ("left_type", "left_value"), ("right_type", "right_value"))
REQUEST_COLUMNS = ("email", "account_id", "loyalty_id", "phone")
# JSON cells of original values, where any value may be an identifier: a rejected row's
# `raw` values and a loaded row's `extra` columns (a file's columns beyond the contract).
VALUE_CELLS = {"raw": Suppression.raw_holds, "extra": Suppression.extra_holds}


@dataclass
class ErasureReport:
    requests: int
    customers: int
    identifiers: int
    rows_removed: dict[str, int]
    identity_resolved_again: bool = False


@dataclass(frozen=True)
class _Reach:
    """The columns of one table through which it can hold an erased person's data."""

    table: sa.Table
    identifiers: tuple[str, ...]
    typed: tuple[tuple[str, str], ...]
    cells: tuple[str, ...]  # JSON cells of original values (VALUE_CELLS)
    customers: tuple[str, ...]

    @classmethod
    def of(cls, table: sa.Table) -> _Reach:
        names = list(table.c.keys())
        return cls(
            table,
            tuple(c for c in IDENTIFIER_TYPES if c in names),
            tuple(pair for pair in TYPED_VALUE_COLUMNS if set(pair) <= set(names)),
            tuple(c for c in VALUE_CELLS if c in names),
            tuple(c for c in names if c == "customer_id" or c.endswith("_customer_id")),
        )

    @property
    def holds_identifiers(self) -> bool:
        return bool(self.identifiers or self.typed or self.cells)

    @property
    def partitioned(self) -> bool:
        return "extract_date" in self.table.c and not self.table.c.extract_date.nullable


def _reaches(store: WarehouseStore) -> list[_Reach]:
    names = sorted(set(sa.inspect(store.engine).get_table_names()) - PRIVACY_TABLES)
    return [_Reach.of(sa.Table(name, sa.MetaData(), autoload_with=store.engine)) for name in names]


def _erased_conditions(
    store: WarehouseStore, reach: _Reach, suppression: Suppression, region: str, where: tuple = ()
) -> list:
    """SQL conditions that match the rows (of those `where` selects) holding an erased
    identifier, found from each column's distinct values rather than from every row."""
    c = reach.table.c

    def distinct(*columns: sa.Column) -> pd.DataFrame:
        return store.query(sa.select(*columns).distinct().where(columns[-1].is_not(None), *where))

    conditions = []
    for id_type in reach.identifiers:
        values = distinct(c[id_type])[id_type]
        conditions += _in(c[id_type], values[suppression.holds(id_type, values)])
    for type_column, value_column in reach.typed:
        pairs = distinct(c[type_column], c[value_column])
        hit = pairs[suppression.holds(pairs[type_column], pairs[value_column])]
        conditions += [
            (c[type_column] == t) & c[value_column].in_(part[value_column].tolist())
            for t, part in hit.groupby(type_column)
        ]
    for column in reach.cells:
        cells = distinct(c[column])[column]
        conditions += _in(c[column], cells[VALUE_CELLS[column](suppression, cells, region)])
    return conditions


def _in(column: sa.Column, values: pd.Series) -> list:
    return [column.in_(values.tolist())] if len(values) else []


def pending_requests(store: WarehouseStore) -> pd.DataFrame:
    if not store.has_table("stg_erasure"):
        return pd.DataFrame(columns=["request_id", "ts", *REQUEST_COLUMNS])
    requests = store.read_table("stg_erasure", columns=["request_id", "ts", *REQUEST_COLUMNS])
    if store.has_table(erasure_audit.name):
        done = store.read_table(erasure_audit.name, columns=["request_id"])["request_id"]
        requests = requests[~requests["request_id"].isin(done)]
    return requests.reset_index(drop=True)


def process_erasures(store: WarehouseStore, region: str, run_id: str) -> ErasureReport:
    """Carry out every request not processed yet; returns what was removed. `run_id` is the run
    that records identity's changes when identity is resolved again."""
    requests = pending_requests(store)
    if requests.empty:
        return ErasureReport(0, 0, 0, {})
    salt = erasure_salt(store)
    asked = requests.melt(
        id_vars=["request_id", "ts"], value_vars=list(REQUEST_COLUMNS), value_name="identifier_hash"
    ).dropna(subset=["identifier_hash"])
    identifiers = (
        store.read_table("customer_identifiers")
        if store.has_table("customer_identifiers")
        else pd.DataFrame(columns=["customer_id", "id_type", "id_value"])
    )
    identifiers["identifier_hash"] = hash_identifiers(identifiers["id_type"], identifiers["id_value"], salt)
    matched = identifiers.merge(asked[["request_id", "identifier_hash"]], on="identifier_hash")[
        ["customer_id", "request_id"]
    ].drop_duplicates()
    erased_ids = identifiers.merge(matched, on="customer_id")[["identifier_hash", "request_id"]]
    suppression = pd.concat([erased_ids, asked[["identifier_hash", "request_id"]]], ignore_index=True)
    record_suppression(store, suppression)
    customers = frozenset(matched["customer_id"])
    removed = remove_erased(store, Suppression.load(store), customers, region)
    audit = (
        requests[["request_id", "ts"]]
        .rename(columns={"ts": "requested_at"})
        .assign(
            processed_at=utc_now(),
            customers_matched=requests["request_id"]
            .map(matched.groupby("request_id").size())
            .fillna(0)
            .astype("int64"),
            identifiers_suppressed=requests["request_id"]
            .map(suppression.groupby("request_id")["identifier_hash"].nunique())
            .fillna(0)
            .astype("int64"),
            rows_removed=json.dumps(removed),
        )
    )
    with store.transaction() as tx:
        tx.ensure_table(erasure_audit)
        tx.insert(erasure_audit, audit)
    identity_inputs = {SOURCES[source].table for source in IDENTITY_SOURCES}
    resolve_again = bool(identity_inputs & removed.keys())
    if resolve_again:
        resolve_stored_identities(store, run_id, again_in_run=True)
    return ErasureReport(
        len(requests), len(customers), len(suppression["identifier_hash"].unique()), removed, resolve_again
    )


def remove_erased(
    store: WarehouseStore, suppression: Suppression, customers: frozenset[str], region: str
) -> dict[str, int]:
    """Delete every erased row from every table (by value, in SQL), one transaction per table."""
    removed = {}
    for reach in _reaches(store):
        conditions = _erased_conditions(store, reach, suppression, region)
        conditions += [
            reach.table.c[column].in_(sorted(customers)) for column in reach.customers if customers
        ]
        if not conditions:
            continue
        with store.transaction() as tx:
            count = tx.connection.execute(reach.table.delete().where(sa.or_(*conditions))).rowcount
        if count:
            removed[reach.table.name] = count
    return removed


def find_erased(store: WarehouseStore, region: str) -> dict[str, int]:
    """Tables still holding an erased identifier, with the number of rows (for the asset check).

    Reads only what can have changed since the last clean check against the same list (see
    the module's docstring); a clean check is recorded as the new reference, one that finds
    something is not, so what it found is found again until it is gone.
    """
    suppression = Suppression.load(store)
    if not suppression.hashes:
        return {}
    verified = _verified_partitions(store, suppression.fingerprint)
    ingestion = _latest_ingestion(store)  # read first: what lands during the check is seen next time
    found, seen = {}, []
    for reach in (r for r in _reaches(store) if r.holds_identifiers):
        table, where = reach.table, ()
        if reach.partitioned:
            states = _partition_states(store, table, ingestion)
            seen += [(table.name, date, state) for date, state in states.items()]
            if verified is not None:
                changed = [
                    date for date, state in states.items() if verified.get((table.name, date)) != state
                ]
                if not changed:
                    continue
                where = (table.c.extract_date.in_(changed),)
        conditions = _erased_conditions(store, reach, suppression, region, where)
        if conditions:
            count = store.query(
                sa.select(sa.func.count()).select_from(table).where(sa.or_(*conditions), *where)
            ).iloc[0, 0]
            found[table.name] = int(count)
    if not found:
        frame = pd.DataFrame(seen, columns=["table_name", "extract_date", "state"]).assign(
            suppression=suppression.fingerprint
        )
        with store.transaction() as tx:
            tx.ensure_table(erasure_verification)
            tx.delete(erasure_verification)
            tx.insert(erasure_verification, frame)
    return found


def _verified_partitions(store: WarehouseStore, fingerprint: str) -> dict[tuple[str, str], str] | None:
    """(table, extract date) -> state at the last clean check, if it was against this list."""
    if not store.has_table(erasure_verification.name):
        return None
    last = store.read_table(erasure_verification.name)
    if last.empty or (last["suppression"] != fingerprint).any():
        return None
    return dict(zip(zip(last["table_name"], last["extract_date"], strict=True), last["state"], strict=True))


def _latest_ingestion(store: WarehouseStore) -> dict[str, str]:
    """When files of each extract date were last ingested (any source): a rewritten
    partition may keep its row count, not its ingestion time."""
    if not store.has_table(ingested_files.name):
        return {}
    c = ingested_files.c
    latest = store.query(sa.select(c.extract_date, sa.func.max(c.ingested_at)).group_by(c.extract_date))
    return dict(zip(latest.iloc[:, 0], latest.iloc[:, 1].astype(str), strict=True))


def _partition_states(store: WarehouseStore, table: sa.Table, ingestion: dict[str, str]) -> dict[str, str]:
    """Per extract date of a partitioned table: its row count and latest ingestion."""
    counts = store.query(sa.select(table.c.extract_date, sa.func.count()).group_by(table.c.extract_date))
    return {
        date: f"{rows}@{ingestion.get(date)}"
        for date, rows in zip(counts.iloc[:, 0], counts.iloc[:, 1], strict=True)
    }
