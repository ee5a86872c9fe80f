"""The erasure suppression list: salted hashes of the identifiers of erased people.

Identifiers are hashed as `sha256(salt | id_type | value)` over their normal forms, so
the list can say "this value belongs to someone erased" without holding the value. The
salt comes from `XSIGNALS_ERASURE_SALT`, or is drawn once and kept in the warehouse.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets

import numpy as np
import pandas as pd
import sqlalchemy as sa

from xsignals_dagster.contract.normal_forms import normal_identifier
from xsignals_dagster.contract.tables import erasure_suppression, privacy_salt
from xsignals_dagster.contract.vocabularies import IDENTIFIER_TYPES
from xsignals_dagster.ingest.raw_rows import raw_values
from xsignals_dagster.warehouse import WarehouseStore
from xsignals_dagster.warehouse.store import utc_now


def erasure_salt(store: WarehouseStore) -> str:
    """The salt of every identifier hash; one per warehouse unless the environment sets it."""
    configured = os.environ.get("XSIGNALS_ERASURE_SALT")
    if configured:
        return configured
    store.ensure_tables(privacy_salt)
    existing = store.query(sa.select(privacy_salt.c.salt))
    if len(existing):
        return existing["salt"].iloc[0]
    salt = secrets.token_hex(32)
    with store.transaction() as tx:
        if not tx.connection.execute(sa.select(privacy_salt.c.salt)).first():
            tx.connection.execute(privacy_salt.insert().values(salt=salt))
    return store.query(sa.select(privacy_salt.c.salt))["salt"].iloc[0]


def hash_identifiers(id_type: str | pd.Series, values: pd.Series, salt: str) -> pd.Series:
    """Salted hashes of normal-form identifier values, all of one type or each of its row's
    type (NA stays NA). The hashed texts are built column-wise; each distinct one is hashed once."""
    present = values.notna().to_numpy()
    texts = pd.Series(values.to_numpy(dtype=object)[present]).astype(str)
    types = (
        id_type
        if isinstance(id_type, str)
        else pd.Series(id_type.to_numpy(dtype=object)[present]).astype(str)
    )
    texts = salt + "|" + types + "|" + texts
    distinct = texts.unique()
    digests = dict(
        zip(distinct, (hashlib.sha256(text.encode()).hexdigest() for text in distinct), strict=True)
    )
    hashes = np.full(len(values), None, dtype=object)
    hashes[present] = texts.map(digests).to_numpy()
    return pd.Series(hashes, index=values.index)


def suppressed_hashes(store: WarehouseStore) -> frozenset[str]:
    if not store.has_table(erasure_suppression.name):
        return frozenset()
    return frozenset(store.query(sa.select(erasure_suppression.c.identifier_hash))["identifier_hash"])


def record_suppression(store: WarehouseStore, hashes: pd.DataFrame) -> int:
    """Add `identifier_hash, request_id` rows to the suppression list (idempotent)."""
    existing = suppressed_hashes(store)
    fresh = hashes[~hashes["identifier_hash"].isin(existing)].drop_duplicates("identifier_hash")
    with store.transaction() as tx:
        tx.ensure_table(erasure_suppression)
        return tx.insert(erasure_suppression, fresh.assign(erased_at=utc_now()))


class Suppression:
    """What ingestion checks each row against: the salt and the suppressed hashes."""

    def __init__(self, salt: str, hashes: frozenset[str]):
        self.salt = salt
        self.hashes = hashes

    @classmethod
    def load(cls, store: WarehouseStore) -> Suppression:
        return cls(erasure_salt(store), suppressed_hashes(store))

    @property
    def fingerprint(self) -> str:
        """Changes with the salt or the list: what a clean check was made against."""
        return hashlib.sha256("|".join([self.salt, *sorted(self.hashes)]).encode()).hexdigest()

    def holds(self, id_type: str | pd.Series, values: pd.Series) -> pd.Series:
        """Which normal-form values (of one type, or each of its row's type) are of someone erased."""
        return hash_identifiers(id_type, values, self.salt).isin(self.hashes)

    def carries(self, frame: pd.DataFrame) -> pd.Series:
        """Rows of `frame` holding any identifier (in normal form) of an erased person."""
        hit = pd.Series(False, index=frame.index)
        if not self.hashes:
            return hit
        for id_type in IDENTIFIER_TYPES:
            if id_type in frame.columns:
                hit |= self.holds(id_type, frame[id_type])
        return hit

    def values_hold(self, values: pd.Series, region: str) -> pd.Series:
        """Per row label of `values` (free-form values, one entry each; a label may repeat):
        whether any of them, tried in the normal form of every identifier type, is an
        identifier of an erased person."""
        values = values.dropna().astype(str).str.strip()
        values = values[(values != "").to_numpy()]
        if values.empty or not self.hashes:
            return pd.Series(False, index=values.index.unique())
        candidates = pd.DataFrame(
            {t: normal_identifier(t, values, region) for t in IDENTIFIER_TYPES}, index=values.index
        )
        return self.carries(candidates).groupby(level=0).any()

    def raw_holds(self, raw: pd.Series, region: str) -> pd.Series:
        """Rejected rows whose original values (`raw` JSON) include an erased identifier, in
        any column."""
        return self.values_hold(raw.dropna().map(raw_values).explode(), region).reindex(
            raw.index, fill_value=False
        )

    def extra_holds(self, extra: pd.Series, region: str) -> pd.Series:
        """Loaded rows whose extra columns (`extra` JSON: a file's columns beyond the
        contract) include an erased identifier."""
        values = extra.dropna().map(lambda cell: list(json.loads(cell).values())).explode()
        return self.values_hold(values, region).reindex(extra.index, fill_value=False)

    def hashed(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The frame with every identifier column replaced by its salted hash."""
        return frame.assign(
            **{t: hash_identifiers(t, frame[t], self.salt) for t in IDENTIFIER_TYPES if t in frame.columns}
        )
