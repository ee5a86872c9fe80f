"""Table definitions for the tables whose columns the contract fixes (CONTRACT §2)."""

from __future__ import annotations

import sqlalchemy as sa

from xsignals_dagster.contract.sources import SOURCES, SourceSchema, column_kind

_KIND_TYPES = {
    "timestamp": sa.DateTime,
    "date": sa.Date,
    "decimal": sa.Float,
    "integer": sa.BigInteger,
    "boolean": sa.Boolean,
    "text": sa.Text,
}

metadata = sa.MetaData()

ingested_files = sa.Table(
    "ingested_files",
    metadata,
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("rows_read", sa.BigInteger, nullable=False),
    sa.Column("rows_loaded", sa.BigInteger, nullable=False),
    sa.Column("rows_rejected", sa.BigInteger, nullable=False),
    sa.Column("ingested_at", sa.DateTime, nullable=False),
    sa.Column("extract_date", sa.Text, nullable=False),
    sa.Column("values_blanked", sa.BigInteger, nullable=False),
    sa.Column("duplicate_of", sa.Text),
)

quarantined_files = sa.Table(
    "quarantined_files",
    metadata,
    sa.Column("source", sa.Text),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("quarantined_at", sa.DateTime, nullable=False),
    sa.Column("extract_date", sa.Text),
    sa.Column("sha256", sa.Text),
)

rejected_rows = sa.Table(
    "rejected_rows",
    metadata,
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("row_number", sa.BigInteger, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("raw", sa.Text),
    sa.Column("extract_date", sa.Text, nullable=False),
)

blanked_values = sa.Table(
    "blanked_values",
    metadata,
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("column", sa.Text, nullable=False),
    sa.Column("count", sa.BigInteger, nullable=False),
    sa.Column("extract_date", sa.Text, nullable=False),
)

BOOKKEEPING_TABLES = (ingested_files, quarantined_files, rejected_rows, blanked_values)


def _staging_table(schema: SourceSchema) -> sa.Table:
    """`stg_<source>`: the loaded rows, typed, with where each came from."""
    return sa.Table(
        schema.table,
        metadata,
        *(sa.Column(column, _KIND_TYPES[column_kind(column)]()) for column in schema.columns),
        sa.Column("extra", sa.Text),
        sa.Column("source_path", sa.Text, nullable=False),
        sa.Column("source_row", sa.BigInteger, nullable=False),
        sa.Column("extract_date", sa.Text, nullable=False, index=True),
    )


STAGING_TABLES: dict[str, sa.Table] = {name: _staging_table(schema) for name, schema in SOURCES.items()}

# The tables identity resolution writes, each with what it holds (CONTRACT §2).
IDENTITY_TABLES = {
    "customer_identifiers": "Every identifier value seen (normal form) and its customer (CONTRACT §2).",
    "customer_records": "Which customer each loaded record belongs to (source, record_key, customer_id).",
    "customers": "One row per customer: is_known, number of identifiers and records.",
    "identity_links": (
        "Why records are one customer: the shared key, or the match probability and compared fields' levels; "
        "and why records that looked alike are not (kind kept_apart: household, no personal evidence, a "
        "conflict, a refused merge, a shared device), with both customers."
    ),
    "identity_changes": "Every customer-id change, per run: merge, split, new or retired (appended).",
    "shared_identifiers": (
        "Identifier values seen with several people (kiosks, family tablets): linked to nobody."
    ),
}

# The fitted person-record matcher (m, u and match weight per comparison level), an asset of its own.
MATCH_MODEL_TABLE = "identity_match_model"

# Privacy: the salt of identifier hashes and the suppression list of erased identifiers' hashes.
privacy_salt = sa.Table("privacy_salt", metadata, sa.Column("salt", sa.Text, nullable=False))
erasure_suppression = sa.Table(
    "erasure_suppression",
    metadata,
    sa.Column("identifier_hash", sa.Text, nullable=False, unique=True),
    sa.Column("request_id", sa.Text, nullable=False),
    sa.Column("erased_at", sa.DateTime, nullable=False),
)

# Privacy: what each erasure request removed, and which partitions the last clean check saw.
erasure_audit = sa.Table(
    "erasure_audit",
    metadata,
    sa.Column("request_id", sa.Text, nullable=False),
    sa.Column("requested_at", sa.DateTime),
    sa.Column("processed_at", sa.DateTime, nullable=False),
    sa.Column("customers_matched", sa.BigInteger, nullable=False),
    sa.Column("identifiers_suppressed", sa.BigInteger, nullable=False),
    sa.Column("rows_removed", sa.Text, nullable=False),  # JSON: table -> rows
)
# The partitions the last clean check saw, so that the next one can skip those unchanged.
erasure_verification = sa.Table(
    "erasure_verification",
    metadata,
    sa.Column("suppression", sa.Text, nullable=False),  # the list's fingerprint it was clean against
    sa.Column("table_name", sa.Text, nullable=False),
    sa.Column("extract_date", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),  # rows, and the latest ingestion of that date
)

# The intent model registry: every supervised model trained, newest per horizon scores.
intent_models = sa.Table(
    "intent_models",
    metadata,
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("trained_at", sa.DateTime, nullable=False),
    sa.Column("horizon_days", sa.BigInteger, nullable=False),
    sa.Column("feature_columns", sa.Text, nullable=False),  # JSON list
    sa.Column("metrics", sa.Text, nullable=False),  # JSON: model, baselines, ablation
    sa.Column("model", sa.LargeBinary, nullable=False),
)

# The tables no asset materializes, each written as a side record (README "Bookkeeping tables").
# Every other table the project writes is an asset's: named after its key, or its `dagster/table_name`.
BOOKKEEPING_TABLE_NAMES = frozenset(
    table.name for table in (*BOOKKEEPING_TABLES, privacy_salt, erasure_suppression, erasure_verification)
)

# Every purchase seen, as the intent model's labels and its BG/NBD baseline read them.
PURCHASES_TABLE = "intent_purchases"
