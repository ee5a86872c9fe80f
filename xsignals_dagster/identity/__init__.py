"""Identity resolution: a retailer's touchpoint records unified per customer.

Plain functions over DataFrames (no Dagster):

    result = resolve_identities(frames, previous=None, settings=IdentitySettings())

``frames`` maps each contract source to its loaded rows (with ``record_key``);
``previous`` is the last run's ``customer_identifiers`` for stable ids. The
``IdentityResult`` holds customer_identifiers, record_customers, customers,
links, id_changes and metrics (see ``resolve.py`` for the steps).
``pairwise_scores`` evaluates a clustering against the truth, ``id_stability``
how the customer ids of one run fared in the next. ``resolve_stored_identities``
does it over the warehouse: reads the staged sources, writes the identity tables.
"""

from .evaluation import id_stability, pairwise_scores
from .resolve import IdentityResult, resolve_identities
from .settings import IdentitySettings
from .stored import resolve_stored_identities

__all__ = [
    "IdentityResult",
    "IdentitySettings",
    "id_stability",
    "pairwise_scores",
    "resolve_identities",
    "resolve_stored_identities",
]
