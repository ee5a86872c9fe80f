"""The one Definitions object the web UI, the daemon and `xsignals run` all load: everything
under defs/ (one module per domain), with the resources configured from the environment."""

from pathlib import Path

import dagster as dg

from xsignals_dagster.resources import build_resources


def build_definitions(resources: dict[str, dg.ConfigurableResource]) -> dg.Definitions:
    """The defs/ folder's definitions with these resources: tests and `xsignals run` pass their own."""
    loaded = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    return dg.Definitions.merge(loaded, dg.Definitions(resources=resources))


defs = build_definitions(build_resources())
