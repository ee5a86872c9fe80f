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
    "identity_links": "Why records are one customer: the shared key, or the match probability and compared fields' levels.",
    "identity_changes": "Every customer-id change, per run: merge, split, new or retired (appended).",
    "shared_identifiers": "Identifier values seen with several people (kiosks, family tablets): linked to nobody.",
}
