"""Identity resolution over the warehouse: read the staged sources, resolve, and write every
identity table in one transaction.

One home for what the identity asset does on every run and what erasure does once it has
removed a person's staged rows. An erased person's records must not shape how everyone else
is linked: they entered the fitted m and u, the sampled u and the match prior. So identity is
resolved again from what remains, which is exactly what the next run would resolve. Without
that, a run killed after an erasure re-runs identity without the person and leaves other
match probabilities than the clean run did.
"""

from __future__ import annotations

from xsignals_dagster.contract.sources import IDENTITY_SOURCES
from xsignals_dagster.contract.tables import MATCH_MODEL_TABLE
from xsignals_dagster.ingest.frames import load_source_frames
from xsignals_dagster.warehouse import WarehouseStore
from xsignals_dagster.warehouse.store import table_for_frame, utc_now

from .resolve import IdentityResult, resolve_identities
from .settings import IdentitySettings

CHANGES_TABLE = "identity_changes"


def resolve_stored_identities(
    store: WarehouseStore,
    run_id: str,
    settings: IdentitySettings | None = None,
    *,
    again_in_run: bool = False,
) -> IdentityResult:
    """Resolve the staged records, keeping the last run's customer ids, and replace the identity
    tables. `identity_changes` keeps one run's changes under its run id: the first resolution of a
    run replaces them (a retried step writes them once); `again_in_run` adds to them instead, as
    the erasure's resolution follows the run's first one."""
    frames = load_source_frames(store, list(IDENTITY_SOURCES))
    previous = store.read_table("customer_identifiers") if store.has_table("customer_identifiers") else None
    result = resolve_identities(frames, previous, settings or IdentitySettings())
    changes = result.id_changes.assign(run_id=run_id, changed_at=utc_now())
    with store.transaction() as tx:
        tx.replace_table("customer_identifiers", result.customer_identifiers)
        tx.replace_table("customer_records", result.record_customers)
        tx.replace_table("customers", result.customers)
        tx.replace_table("identity_links", result.links)
        tx.replace_table("shared_identifiers", result.shared_identifiers)
        tx.replace_table(MATCH_MODEL_TABLE, result.match_model)
        if again_in_run:
            table = table_for_frame(CHANGES_TABLE, changes)
            tx.ensure_table(table)
            tx.insert(table, changes)
        else:
            tx.replace_rows(CHANGES_TABLE, changes, {"run_id": run_id})
    return result
