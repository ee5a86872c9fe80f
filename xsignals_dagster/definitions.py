"""The one Definitions object the web UI, the daemon and `xsignals run` all load: everything
under defs/ (one module per domain), with the resources configured from the environment."""

from pathlib import Path

import dagster as dg

from xsignals_dagster.resources import build_resources

# Runs of the UI and the daemon execute each step in a process of its own. Spawned afresh,
# every step first imports pandas, scikit-learn and the definitions (3-4 s on 2 cores, longer
# than most steps take); forked from a server that imported them once, it starts at once.
STEP_PROCESSES = dg.multiprocess_executor.configured(
    {"start_method": {"forkserver": {"preload_modules": [__name__]}}}
)


def build_definitions(resources: dict[str, dg.ConfigurableResource]) -> dg.Definitions:
    """The defs/ folder's definitions with these resources: tests and `xsignals run` pass their own."""
    loaded = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    return dg.Definitions.merge(loaded, dg.Definitions(resources=resources, executor=STEP_PROCESSES))


defs = build_definitions(build_resources())
