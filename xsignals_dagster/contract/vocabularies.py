"""Names every layer shares, defined once."""

# The Dagster pool every warehouse-writing step holds, so that SQLite sees one writer at a time.
WAREHOUSE_POOL = "warehouse"
