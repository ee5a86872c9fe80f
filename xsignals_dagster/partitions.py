"""The daily partitions every source asset shares: one per extract date that has landed."""

import dagster as dg

extract_dates = dg.DynamicPartitionsDefinition(name="extract_date")

# The run tags that make one run cover a range of partitions (Dagster's documented
# "dagster/asset_partition_range_start/end"): `dagster` exports no constant for them.
PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"
# `xsignals run` re-runs every landed date: with this tag an ingestion leaves the dates whose
# files are unchanged since they loaded as they are (a backfill from the UI reads them again).
SKIP_UNCHANGED_TAG = "xsignals/skip_unchanged"
