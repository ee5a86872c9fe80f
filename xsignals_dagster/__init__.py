"""xsignals: cross-experience signals on Dagster."""
