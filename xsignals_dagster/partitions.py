"""The daily partitions every source asset shares: one per extract date that has landed."""

import dagster as dg

extract_dates = dg.DynamicPartitionsDefinition(name="extract_date")

# The run tags that make one run cover a range of partitions (Dagster's documented
# "dagster/asset_partition_range_start/end"): `dagster` exports no constant for them.
PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"
