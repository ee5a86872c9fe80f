"""identity_links: why records are one customer, and why records that looked alike are not.

Each row names two sides (an identifier and a record each) and the evidence, as JSON:

- ``deterministic``: two identifier values seen together in records (how many, an example).
- ``probabilistic``: two person records the matcher linked: each compared field's level and the
  match weight.
- ``kept_apart``: two sides that resolution left in different customers (``customer_id`` holds
  the left side's customer, ``right_customer_id`` the right side's, either none for records that
  are nobody's), with ``reason`` in the evidence:

  - ``household``: person records a model blind to households would link, kept apart by the
    household stratum of the model or the household guard;
  - ``no_personal_evidence``: person records likely enough, but nothing personal agrees (a
    first name, a birth date, an email or a phone): surname and address describe a household;
  - ``conflict``: person records likely enough that the household guard rules out (first name
    and birth date clearly differ, or, with contact details on both sides, one of them);

    these three carry each compared field's level, the match weight, the household-blind one
    (``household_blind_match_weight``) and whether the guard ruled the pair out (``conflict``);
  - ``conflicting_member``, ``chain_guard``, ``cluster_size_cap``: an accepted person link
    whose groups the clustering refused to merge: a member pair across them conflicts
    (``conflicting_records``), their average match weight is below the threshold
    (``mean_weight``), or the merged group would pass the size cap;
  - ``shared_identifier``: two people using one value (a family tablet, a shared login, a
    household card): ``shared_type``, ``shared_value``, ``owners`` and the reason it is listed
    in ``shared_identifiers``. Each side is a record of one person carrying the value, named by
    its most personal other identifier; a value with n owners gives n - 1 rows (the first owner
    beside each other).

Kept-apart rows stay bounded by what resolution weighed: person pairs whose match probability
crossed the threshold under the model or a household-blind one, accepted links whose merge was
refused, and shared values; pairs that ended in one customer anyway are left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xsignals_dagster.contract.vocabularies import IDENTIFIER_TYPES

from .clusters import PairScores, PersonClusters
from .graph import IdentityGraph
from .identifiers import IdentifierTable
from .linkage import COMPARISONS

LINK_COLUMNS = [
    "customer_id",
    "kind",
    "left_type",
    "left_value",
    "right_type",
    "right_value",
    "left_record",
    "right_record",
    "match_probability",
    "evidence",
    "right_customer_id",
]
KEPT_APART = "kept_apart"
# Reasons of kept-apart rows (evidence.reason), in the order the metrics count them.
KEPT_APART_REASONS = (
    "household",
    "no_personal_evidence",
    "conflict",
    "conflicting_member",
    "chain_guard",
    "cluster_size_cap",
    "shared_identifier",
)


def identity_links(
    table: IdentifierTable,
    person_records: np.ndarray,
    graph: IdentityGraph,
    scores: PairScores,
    clusters: PersonClusters,
    customer_of: pd.Series,
    match_threshold: float,
) -> pd.DataFrame:
    """Every row of identity_links (see the module doc). person_records: the record number of each
    person position; customer_of: customer id per graph label."""
    listed = ~graph.shared_mask
    sides = pd.concat(
        [
            _probabilistic(scores, person_records),
            _scored_pairs_kept_apart(scores, person_records, match_threshold),
            _refused_merges(scores, clusters, person_records, table),
            _shared_identifier_users(table, graph),
        ],
        ignore_index=True,
    )
    left_label = graph.labels[sides["left_record"].to_numpy()]
    right_label = graph.labels[sides["right_record"].to_numpy()]
    apart = (sides["kind"] == KEPT_APART).to_numpy()
    sides = sides[np.where(apart, left_label != right_label, left_label == right_label)]
    return pd.concat(
        [
            _deterministic_links(table, listed, customer_of, graph),
            _with_sides(sides, table, graph, customer_of),
        ],
        ignore_index=True,
    )


def kept_apart_counts(links: pd.DataFrame) -> dict[str, int]:
    """How many kept-apart rows of identity_links give each reason (every reason, zeros included)."""
    evidence = links.loc[links["kind"] == KEPT_APART, "evidence"]
    reasons = evidence.str.extract(r'^\{"reason": "(\w+)"', expand=False)
    counts = reasons.value_counts().reindex(KEPT_APART_REASONS, fill_value=0)
    return {reason: int(count) for reason, count in counts.items()}


def _deterministic_links(
    table: IdentifierTable, listed: np.ndarray, customer_of: pd.Series, graph: IdentityGraph
) -> pd.DataFrame:
    """Identifier pairs seen together in a record: each record's first identifier with each other one."""
    occurrences = table.occurrences[listed[table.occurrences["identifier"].to_numpy()]]
    anchor = occurrences.groupby("record")["identifier"].transform("min")
    pairs = occurrences.assign(anchor=anchor.to_numpy())
    pairs = pairs[pairs["identifier"].to_numpy() != pairs["anchor"].to_numpy()]
    together = (
        pairs.groupby(["anchor", "identifier"])
        .agg(records=("record", "size"), example=("record", "min"))
        .reset_index()
    )
    left = table.identifiers.iloc[together["anchor"].to_numpy()]
    right = table.identifiers.iloc[together["identifier"].to_numpy()]
    example = _record_refs(table, together["example"].to_numpy())
    customer = customer_of.reindex(graph.labels[table.n_records + together["anchor"].to_numpy()]).to_numpy()
    return pd.DataFrame(
        {
            "customer_id": customer,
            "kind": "deterministic",
            "left_type": left["id_type"].astype(str).to_numpy(),
            "left_value": left["id_value"].to_numpy(),
            "right_type": right["id_type"].astype(str).to_numpy(),
            "right_value": right["id_value"].to_numpy(),
            "left_record": example,
            "right_record": example,
            "match_probability": 1.0,
            "evidence": '{"seen_together_in_records": '
            + together["records"].astype(str)
            + ', "example_record": '
            + _json_string(pd.Series(example))
            + "}",
            "right_customer_id": customer,
        },
        columns=LINK_COLUMNS,
    )


# --- person pairs and shared values: kind, left_record, right_record, match_probability, evidence ---


def _probabilistic(scores: PairScores, person_records: np.ndarray) -> pd.DataFrame:
    """Accepted person pairs (those inside one customer are kept), with the level of every compared field."""
    accepted = scores.accepted()
    return _person_pairs(accepted, person_records, "probabilistic", _field_levels(accepted))


def _scored_pairs_kept_apart(
    scores: PairScores, person_records: np.ndarray, match_threshold: float
) -> pd.DataFrame:
    """Scored person pairs likely enough (by the model or a household-blind one) yet not accepted."""
    scored = scores.table
    likely = scored["match_probability"].to_numpy() >= match_threshold
    conflict = scored["conflict"].to_numpy()
    household = scored["household_separated"].to_numpy()
    unproven = likely & scored["no_personal_evidence"].to_numpy() & ~conflict
    # Reasons are named for the chosen few only: the scored table holds every candidate pair.
    rows = np.flatnonzero(household | unproven | (likely & conflict))
    chosen = scored.iloc[rows]
    reason = np.select([household[rows], unproven[rows]], ["household", "no_personal_evidence"], "conflict")
    blind_weight = scores.model.match_weight(chosen, households=False)
    evidence = (
        '"reason": "'
        + pd.Series(reason)
        + '", '
        + _field_levels(chosen)
        + ', "household_blind_match_weight": '
        + pd.Series(blind_weight.round(2)).astype(str)
        + ', "conflict": '
        + pd.Series(np.where(chosen["conflict"].to_numpy(), "true", "false"))
    )
    return _person_pairs(chosen, person_records, KEPT_APART, evidence)


def _refused_merges(
    scores: PairScores, clusters: PersonClusters, person_records: np.ndarray, table: IdentifierTable
) -> pd.DataFrame:
    """Accepted person pairs whose groups the clustering refused to merge, and why."""
    accepted = scores.accepted()
    group = clusters.group
    group_left, group_right = group[accepted["left"].to_numpy()], group[accepted["right"].to_numpy()]
    across = group_left != group_right
    pairs = accepted[across]
    refusal = pd.DataFrame(
        {"a": np.minimum(group_left, group_right)[across], "b": np.maximum(group_left, group_right)[across]}
    ).merge(clusters.refused, on=["a", "b"], how="left")
    conflicting = refusal["conflict"].eq(True).to_numpy()
    too_big = refusal["too_big"].eq(True).to_numpy()
    reason = pd.Series(
        np.select([conflicting, too_big], ["conflicting_member", "cluster_size_cap"], "chain_guard")
    )
    clash_left = refusal["conflict_left"].fillna(-1).to_numpy(np.int64)
    clash_right = refusal["conflict_right"].fillna(-1).to_numpy(np.int64)
    conflicting_records = (
        _json_string(pd.Series(_record_refs(table, person_records[clash_left[conflicting]])))
        + ", "
        + _json_string(pd.Series(_record_refs(table, person_records[clash_right[conflicting]])))
    )
    extra = ', "mean_weight": ' + pd.Series(refusal["mean_weight"].round(2).to_numpy()).astype(str)
    extra[conflicting] = ', "conflicting_records": [' + conflicting_records.to_numpy() + "]"
    extra[too_big & ~conflicting] = ""
    evidence = '"reason": "' + reason + '", ' + _field_levels(pairs) + extra
    return _person_pairs(pairs, person_records, KEPT_APART, evidence)


def _shared_identifier_users(table: IdentifierTable, graph: IdentityGraph) -> pd.DataFrame:
    """The first owner of each shared value beside each other owner, through a record of each."""
    users = graph.shared_identifier_users().sort_values(["identifier", "record"], kind="stable")
    first = users.groupby("identifier")["record"].transform("first")
    users = users.assign(first=first.to_numpy())
    users = users[users["record"].to_numpy() != users["first"].to_numpy()]
    shared = graph.shared_identifiers()
    shared = shared.set_index(["id_type", "id_value"])
    value = table.identifiers.iloc[users["identifier"].to_numpy()]
    described = shared.reindex(pd.MultiIndex.from_arrays([value["id_type"].astype(str), value["id_value"]]))
    evidence = (
        '"reason": "shared_identifier", "shared_type": '
        + _json_string(pd.Series(value["id_type"].astype(str).to_numpy()))
        + ', "shared_value": '
        + _json_string(pd.Series(value["id_value"].to_numpy()))
        + ', "owners": '
        + pd.Series(described["owners"].to_numpy()).astype(str)
        + ', "shared_reason": '
        + _json_string(pd.Series(described["reason"].to_numpy()))
    )
    return pd.DataFrame(
        {
            "kind": KEPT_APART,
            "left_record": users["first"].to_numpy(),
            "right_record": users["record"].to_numpy(),
            "match_probability": np.nan,
            "evidence": "{" + evidence.to_numpy() + "}",
        }
    )


def _person_pairs(
    pairs: pd.DataFrame, person_records: np.ndarray, kind: str, evidence: pd.Series
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kind": kind,
            "left_record": person_records[pairs["left"].to_numpy()],
            "right_record": person_records[pairs["right"].to_numpy()],
            "match_probability": pairs["match_probability"].to_numpy(),
            "evidence": "{" + evidence.to_numpy() + "}",
        }
    )


def _field_levels(pairs: pd.DataFrame) -> pd.Series:
    """'"first_name": "exact", ..., "match_weight": 12.3' per pair, positionally."""
    evidence = pd.Series("", index=np.arange(len(pairs)))
    for comparison in COMPARISONS:
        level_names = np.array(comparison.level_names)[pairs[comparison.name].to_numpy()]
        evidence += f'"{comparison.name}": "' + level_names + '", '
    return evidence + '"match_weight": ' + pd.Series(pairs["match_weight"].round(2).to_numpy()).astype(str)


def _with_sides(
    sides: pd.DataFrame, table: IdentifierTable, graph: IdentityGraph, customer_of: pd.Series
) -> pd.DataFrame:
    """Rows of identity_links from record pairs: each side's most personal identifier and customer."""
    left_record, right_record = sides["left_record"].to_numpy(), sides["right_record"].to_numpy()
    best = _best_identifiers(table, graph.shared_mask, np.union1d(left_record, right_record))
    left_id, right_id = best.reindex(left_record), best.reindex(right_record)
    return pd.DataFrame(
        {
            "customer_id": customer_of.reindex(graph.labels[left_record]).to_numpy(),
            "kind": sides["kind"].to_numpy(),
            "left_type": left_id["id_type"].to_numpy(),
            "left_value": left_id["id_value"].to_numpy(),
            "right_type": right_id["id_type"].to_numpy(),
            "right_value": right_id["id_value"].to_numpy(),
            "left_record": _record_refs(table, left_record),
            "right_record": _record_refs(table, right_record),
            "match_probability": sides["match_probability"].to_numpy(),
            "evidence": sides["evidence"].to_numpy(),
            "right_customer_id": customer_of.reindex(graph.labels[right_record]).to_numpy(),
        },
        columns=LINK_COLUMNS,
    )


def _best_identifiers(table: IdentifierTable, shared_mask: np.ndarray, records: np.ndarray) -> pd.DataFrame:
    """Per record (of those given) carrying one: its most personal listed identifier (account,
    loyalty, email...)."""
    occurrences = table.occurrences
    occurrences = occurrences[
        occurrences["record"].isin(records).to_numpy() & ~shared_mask[occurrences["identifier"].to_numpy()]
    ]
    occurrences = occurrences.assign(
        id_type=table.identifiers["id_type"].to_numpy()[occurrences["identifier"].to_numpy()].astype(str),
        id_value=table.identifiers["id_value"].to_numpy()[occurrences["identifier"].to_numpy()],
    )
    occurrences["rank"] = occurrences["id_type"].map({t: i for i, t in enumerate(IDENTIFIER_TYPES)})
    return (
        occurrences.sort_values(["record", "rank"])
        .drop_duplicates("record")
        .set_index("record")[["id_type", "id_value"]]
    )


def _record_refs(table: IdentifierTable, records: np.ndarray) -> np.ndarray:
    """ "source:record_key" of records."""
    chosen = table.records.iloc[records]
    return (chosen["source"].astype(str) + ":" + chosen["record_key"].astype(str)).to_numpy()


def _json_string(values: pd.Series) -> pd.Series:
    """Values as JSON string literals."""
    return (
        '"'
        + values.astype(str).str.replace("\\", "\\\\", regex=False).str.replace('"', '\\"', regex=False)
        + '"'
    )
