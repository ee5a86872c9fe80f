"""Identity resolution end to end: loaded source frames in, customers out.

1. Every record's identifier values, junk dropped (identifiers.py).
2. Account ids, then loyalty ids join records into people; a loyalty id seen
   with more accounts than its limit is shared and joins nobody (graph.py).
3. Person records (rows with a name) are matched fuzzily - blocking,
   comparison levels, a Fellegi-Sunter model trained on the pairs the
   membership ids prove (linkage.py) - and clustered by guarded average
   linkage (clusters.py).
4. Emails and phones, then cookies, devices and payment tokens join records to
   those people, unless the value is shared by several of them or, for a device
   one person signs into now and then, by people who do not sign in (devices.py).
5. Clusters get stable customer ids against the previous run (stable_ids.py).

Records whose identifiers are all junk or shared, and that match no person,
belong to no customer (customer_id NA): a kiosk's events are nobody's.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xsignals_dagster.contract.vocabularies import (
    CONTACT_ID_TYPES,
    DEVICE_ID_TYPES,
    IDENTIFIER_TYPES,
    PERSON_COLUMNS,
    PERSON_ID_TYPES,
)

from .clusters import PairScores, PersonClusters, cluster_persons
from .devices import sometimes_signed_in_devices
from .fellegi_sunter import FellegiSunterModel, estimate_u, fit_fellegi_sunter
from .graph import IdentityGraph
from .household import conflicts
from .identifiers import IdentifierTable, collect_identifiers
from .linkage import candidate_pairs, compare_pairs, encode_persons, sorted_unique
from .links import KEPT_APART, identity_links, kept_apart_counts
from .persons import person_records
from .settings import IdentitySettings
from .stable_ids import assign_customer_ids

log = logging.getLogger("xsignals.identity")


@dataclass(frozen=True)
class IdentityResult:
    """customer_identifiers: customer_id, id_type, id_value (shared and junk values are listed nowhere).
    record_customers: source, record_key, customer_id (NA for a record that is nobody's).
    customers: customer_id, is_known, n_identifiers, n_records.
    links: why records are one customer - identifiers seen together (deterministic) and
        person records matched fuzzily (probabilistic) - and why records that looked alike
        are not (kept_apart); see ``links``.
    id_changes: old_customer_id, new_customer_id, change (merge / split / new / retired).
    metrics: counts and rates of the run.
    shared_identifiers: id_type, id_value, owners, reason - values that join nobody.
    match_model: the fitted Fellegi-Sunter m, u and match weight of each comparison level.
    """

    customer_identifiers: pd.DataFrame
    record_customers: pd.DataFrame
    customers: pd.DataFrame
    links: pd.DataFrame
    id_changes: pd.DataFrame
    metrics: dict[str, float | int]
    shared_identifiers: pd.DataFrame
    match_model: pd.DataFrame


@dataclass(frozen=True)
class PersonMatching:
    model: FellegiSunterModel
    scores: PairScores
    clusters: PersonClusters
    n_candidates: int
    oversized_blocks: int


def resolve_identities(
    frames: Mapping[str, pd.DataFrame],
    previous: pd.DataFrame | None = None,
    settings: IdentitySettings | None = None,
) -> IdentityResult:
    """Resolve the records of every source into customers (see the module doc).

    frames: source -> its loaded rows (contract columns, normalised, with
    ``record_key``); an ``erasure`` frame is ignored. previous: the last run's
    customer_identifiers, for stable ids.
    """
    settings = settings or IdentitySettings()
    frames = {source: frame for source, frame in frames.items() if source != "erasure"}
    table = collect_identifiers(frames, settings)
    persons = person_records(frames, table, settings)
    profiles = persons.groupby(list(PERSON_COLUMNS), dropna=False, sort=False).ngroup().to_numpy(np.int64)
    graph = IdentityGraph(table, persons["record"].to_numpy(), profiles, settings)

    graph.attach(("account_id",))
    graph.attach(("loyalty_id",))
    matching = _match_persons(persons, graph, profiles, settings)
    joins = matching.clusters.joins
    graph.link_records(
        persons["record"].to_numpy()[joins["left"].to_numpy()],
        persons["record"].to_numpy()[joins["right"].to_numpy()],
    )
    graph.attach(CONTACT_ID_TYPES)
    graph.attach(DEVICE_ID_TYPES, shared_by_use=sometimes_signed_in_devices(frames, table, settings))
    return _result(table, persons, graph, matching, previous, settings)


def _match_persons(
    persons: pd.DataFrame, graph: IdentityGraph, profiles: np.ndarray, settings: IdentitySettings
) -> PersonMatching:
    """Score candidate and proven person pairs, fit the model, cluster."""
    group = graph.labels[persons["record"].to_numpy()]
    candidate_left, candidate_right, oversized_blocks = candidate_pairs(persons, settings)
    proven_left, proven_right = _proven_pairs(group)
    n = max(len(persons), 1)
    first, second = (
        np.concatenate([candidate_left, proven_left]),
        np.concatenate([candidate_right, proven_right]),
    )
    pair_keys = sorted_unique(np.maximum(first, second).astype(np.int64) * n + np.minimum(first, second))
    left, right = pair_keys // n, pair_keys % n
    encoded = encode_persons(persons)
    levels = compare_pairs(encoded, left, right)

    # Pairs in one membership group are proven one person; clear conflicts, under the guard, proven two.
    known_match = np.full(len(left), np.nan)
    known_match[group[left] == group[right]] = 1.0
    if settings.household_guard:
        known_match[conflicts(levels)] = 0.0
    model = fit_fellegi_sunter(
        levels, known_match, estimate_u(encoded, settings), len(persons) * (len(persons) - 1) // 2, settings
    )
    log.info(
        "Fellegi-Sunter fitted in %d EM iterations, match prior %.3g", model.iterations, model.match_prior
    )

    scores = PairScores(encoded, model, settings)
    scores.add(left, right, levels)
    clusters = cluster_persons(group, graph.cluster_sizes()[group], profiles, scores, settings)
    return PersonMatching(model, scores, clusters, len(candidate_left), oversized_blocks)


def _proven_pairs(group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each person paired with the first person of its group (a star per group)."""
    first_of_group = pd.Series(np.arange(len(group))).groupby(group).transform("min").to_numpy()
    others = np.flatnonzero(first_of_group != np.arange(len(group)))
    return others, first_of_group[others]


# --- outputs ---


def _result(
    table: IdentifierTable,
    persons: pd.DataFrame,
    graph: IdentityGraph,
    matching: PersonMatching,
    previous: pd.DataFrame | None,
    settings: IdentitySettings,
) -> IdentityResult:
    n_records = table.n_records
    shared = graph.shared_identifiers()
    listed = ~graph.shared_mask
    identifier_label = graph.labels[n_records:]
    current = table.identifiers[listed].assign(cluster=identifier_label[listed])
    customer_of, id_changes = assign_customer_ids(current, previous)

    customer_identifiers = pd.DataFrame(
        {
            "customer_id": customer_of.reindex(current["cluster"]).to_numpy(),
            "id_type": current["id_type"].astype(str).to_numpy(),
            "id_value": current["id_value"].to_numpy(),
        }
    )
    record_customers = pd.DataFrame(
        {
            "source": table.records["source"].astype(str).to_numpy(),
            "record_key": table.records["record_key"].to_numpy(),
            "customer_id": customer_of.reindex(graph.labels[:n_records]).to_numpy(),
        }
    ).astype({"customer_id": "string"})
    customers = _customers(customer_identifiers, record_customers)
    links = identity_links(
        table,
        persons["record"].to_numpy(),
        graph,
        matching.scores,
        matching.clusters,
        customer_of,
        settings.match_threshold,
    )
    metrics = _metrics(
        table, persons, graph, matching, customers, record_customers, links, id_changes, shared, settings
    )
    log.info(
        "identity: %d records -> %d customers (%.1f%% known), %d deterministic and %d probabilistic links",
        n_records,
        metrics["customers"],
        100 * metrics["known_share"],
        metrics["links_deterministic"],
        metrics["links_probabilistic"],
    )
    return IdentityResult(
        customer_identifiers=customer_identifiers,
        record_customers=record_customers,
        customers=customers,
        links=links,
        id_changes=id_changes,
        metrics=metrics,
        shared_identifiers=shared,
        match_model=matching.model.describe(),
    )


def _customers(customer_identifiers: pd.DataFrame, record_customers: pd.DataFrame) -> pd.DataFrame:
    by_customer = customer_identifiers.assign(
        known=customer_identifiers["id_type"].isin(PERSON_ID_TYPES)
    ).groupby("customer_id")
    customers = pd.DataFrame({"is_known": by_customer["known"].any(), "n_identifiers": by_customer.size()})
    customers["n_records"] = (
        record_customers["customer_id"].value_counts().reindex(customers.index, fill_value=0)
    )
    return (
        customers.rename_axis("customer_id")
        .reset_index()
        .astype({"n_records": np.int64, "n_identifiers": np.int64, "is_known": bool})
    )


def _metrics(
    table: IdentifierTable,
    persons: pd.DataFrame,
    graph: IdentityGraph,
    matching: PersonMatching,
    customers: pd.DataFrame,
    record_customers: pd.DataFrame,
    links: pd.DataFrame,
    id_changes: pd.DataFrame,
    shared: pd.DataFrame,
    settings: IdentitySettings,
) -> dict[str, float | int]:
    refused = matching.clusters.refused
    scored = matching.scores.table
    accepted_pairs = int(scored["accepted"].sum())
    size_refusals = int(refused["too_big"].sum())
    if size_refusals:
        log.warning("cluster size cap %d: %d person merges refused", settings.max_cluster_size, size_refusals)
    changes = id_changes["change"].value_counts()
    metrics: dict[str, float | int] = {
        "records": table.n_records,
        "records_without_customer": int(record_customers["customer_id"].isna().sum()),
        "customers": len(customers),
        "known_customers": int(customers["is_known"].sum()),
        "known_share": float(customers["is_known"].mean()) if len(customers) else 0.0,
        "identifiers": int((~graph.shared_mask).sum()),
        "shared_identifiers": len(shared),
        "junk_values_dropped": len(table.junk),
        "junk_occurrences_dropped": int(table.junk["records"].sum()),
        "person_records": len(persons),
        "candidate_pairs": matching.n_candidates,
        "oversized_blocks_skipped": matching.oversized_blocks,
        "accepted_pairs": accepted_pairs,
        "match_rate": accepted_pairs / matching.n_candidates if matching.n_candidates else 0.0,
        "match_prior": matching.model.match_prior,
        "em_iterations": matching.model.iterations,
        "person_merges": len(matching.clusters.joins),
        # pairs a household-blind model would have linked that the household stratum of the model or the
        # household guard kept apart, and merges the guard refused
        "household_separations": int(scored["household_separated"].sum()) + int(refused["conflict"].sum()),
        # of those pairs: refused because nothing personal agreed (surname and address alone)
        "kept_apart_without_personal_evidence": int(
            (
                scored["no_personal_evidence"]
                & ~scored["conflict"]
                & (scored["match_probability"] >= settings.match_threshold)
            ).sum()
        ),
        "chain_guard_refusals": int((~refused["conflict"] & ~refused["too_big"]).sum()),
        "guard_violations": size_refusals + graph.violations,
        "links_deterministic": int((links["kind"] == "deterministic").sum()),
        "links_probabilistic": int((links["kind"] == "probabilistic").sum()),
        "links_kept_apart": int((links["kind"] == KEPT_APART).sum()),
        "largest_cluster_identifiers": int(customers["n_identifiers"].max()) if len(customers) else 0,
        "largest_cluster_records": int(customers["n_records"].max()) if len(customers) else 0,
    }
    for reason, count in kept_apart_counts(links).items():
        metrics[f"links_kept_apart_{reason}"] = count
    for id_type in IDENTIFIER_TYPES:
        metrics[f"shared_{id_type}"] = int((shared["id_type"] == id_type).sum())
    for change in ("merge", "split", "new", "retired"):
        metrics[f"ids_{change}"] = int(changes.get(change, 0))
    return metrics
