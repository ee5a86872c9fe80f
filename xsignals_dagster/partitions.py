"""The daily partitions every source asset shares: one per extract date that has landed."""

import dagster as dg

extract_dates = dg.DynamicPartitionsDefinition(name="extract_date")
