"""Customer ids that survive rebuilding the graph.

Each cluster inherits the previous customer id whose identifiers it holds. When
a cluster holds several previous customers (a merge), the one that had more
identifiers survives, ties going to the smaller id. When a previous customer's
identifiers spread over several clusters (a split), the part holding most of
them keeps the id. A cluster that inherits nothing gets a new id derived from
its smallest identifier, so a rerun on the same data gives the same ids.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

ID_CHANGE_COLUMNS = ["old_customer_id", "new_customer_id", "change"]


def assign_customer_ids(
    current: pd.DataFrame, previous: pd.DataFrame | None
) -> tuple[pd.Series, pd.DataFrame]:
    """Customer id per cluster, and the changes against ``previous``.

    current: cluster, id_type, id_value (every cluster holds at least one row).
    previous: customer_id, id_type, id_value of the previous run, or None.
    Returns (Series cluster -> customer_id, DataFrame of ID_CHANGE_COLUMNS).
    """
    keys = pd.DataFrame(
        {
            "cluster": current["cluster"].to_numpy(),
            "key": (current["id_type"].astype(str) + ":" + current["id_value"].astype(str)),
        }
    )
    smallest = keys.sort_values(["cluster", "key"]).drop_duplicates("cluster")
    cluster_key = pd.Series(
        smallest["key"].to_numpy(), index=smallest["cluster"].to_numpy()
    )  # the cluster's smallest identifier
    cluster_size = current.groupby("cluster").size()
    if previous is None or previous.empty:
        previous = pd.DataFrame(columns=["customer_id", "id_type", "id_value"])
    previous = previous.astype({"customer_id": str, "id_type": str, "id_value": str})
    old_size = previous.groupby("customer_id").size()

    overlap = (
        current.astype({"id_type": str, "id_value": str})
        .merge(previous, on=["id_type", "id_value"])
        .groupby(["cluster", "customer_id"])
        .size()
        .rename("overlap")
        .reset_index()
    )
    overlap["cluster_size"] = cluster_size.reindex(overlap["cluster"]).to_numpy()
    overlap["cluster_key"] = cluster_key.reindex(overlap["cluster"]).to_numpy()
    overlap["old_size"] = old_size.reindex(overlap["customer_id"]).to_numpy()
    inherited = _match_old_ids(overlap)

    customer_id = pd.Series(pd.NA, index=cluster_key.index, dtype=object)
    customer_id[inherited.index] = inherited.to_numpy()
    fresh = customer_id.isna().to_numpy()
    customer_id[fresh] = _new_ids(cluster_key[fresh], taken=set(old_size.index) | set(inherited))
    return customer_id.astype(str), _changes(overlap, inherited, customer_id, old_size.index)


def _match_old_ids(overlap: pd.DataFrame) -> pd.Series:
    """cluster -> inherited old id, by rounds of mutual first choices.

    An old id prefers the cluster holding most of its identifiers (then the
    larger cluster, then the smaller key); a cluster prefers the old id with
    more identifiers (then the smaller id).
    """
    inherited = {}
    edges = overlap
    while not edges.empty:
        old_choice = _first_choice(
            edges, "customer_id", ["overlap", "cluster_size", "cluster_key"], [False, False, True]
        )
        cluster_choice = _first_choice(edges, "cluster", ["old_size", "customer_id"], [False, True])
        mutual = old_choice.merge(cluster_choice[["cluster", "customer_id"]], on=["cluster", "customer_id"])
        inherited.update(zip(mutual["cluster"], mutual["customer_id"], strict=False))
        edges = edges[
            ~edges["cluster"].isin(mutual["cluster"]) & ~edges["customer_id"].isin(mutual["customer_id"])
        ]
    return pd.Series(inherited, dtype=object)


def _first_choice(
    edges: pd.DataFrame, chooser: str, preference: list[str], ascending: list[bool]
) -> pd.DataFrame:
    """Each chooser's most preferred edge."""
    return edges.sort_values([chooser, *preference], ascending=[True, *ascending]).drop_duplicates(chooser)


def _new_ids(cluster_keys: pd.Series, taken: set[str]) -> list[str]:
    """ "C" + 10 hex digits of the SHA-1 of the cluster's smallest identifier (rehashed on a clash)."""
    ids = []
    for key in cluster_keys:
        salt = 0
        candidate = _hashed_id(key)
        while candidate in taken:
            salt += 1
            candidate = _hashed_id(f"{key}#{salt}")
        taken.add(candidate)
        ids.append(candidate)
    return ids


def _hashed_id(key: str) -> str:
    return "C" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def _changes(
    overlap: pd.DataFrame, inherited: pd.Series, customer_id: pd.Series, old_ids: pd.Index
) -> pd.DataFrame:
    """merge: an old id absorbed by a cluster that kept another id; split: part of an old
    customer now under another id; new: a cluster sharing nothing with the previous run;
    retired: an old id none of whose identifiers is in any cluster now."""
    heir_of = pd.Series(inherited.index, index=inherited.to_numpy())  # old id -> cluster that kept it
    edges = overlap.assign(new_customer_id=customer_id.reindex(overlap["cluster"]).to_numpy())
    edges["kept_by"] = heir_of.reindex(edges["customer_id"]).to_numpy()
    edges = edges[
        edges["cluster"].to_numpy() != edges["kept_by"].to_numpy()
    ]  # parts that did not keep the id
    # An old id kept by no cluster was merged into the cluster holding most of it; its other parts split off.
    lost = edges["kept_by"].isna()
    main_part_index = _first_choice(
        edges[lost], "customer_id", ["overlap", "cluster_size", "cluster_key"], [False, False, True]
    ).index
    edges["change"] = np.where(edges.index.isin(main_part_index), "merge", "split")

    touched_clusters = overlap["cluster"].unique()
    new = customer_id[~customer_id.index.isin(touched_clusters)]
    retired = old_ids[~old_ids.isin(overlap["customer_id"])]
    changes = pd.concat(
        [
            edges.rename(columns={"customer_id": "old_customer_id"})[ID_CHANGE_COLUMNS],
            pd.DataFrame({"old_customer_id": pd.NA, "new_customer_id": new.to_numpy(), "change": "new"}),
            pd.DataFrame(
                {"old_customer_id": retired.to_numpy(), "new_customer_id": pd.NA, "change": "retired"}
            ),
        ],
        ignore_index=True,
    )
    return changes.astype(
        {"old_customer_id": "string", "new_customer_id": "string", "change": "string"}
    ).sort_values(["change", "old_customer_id", "new_customer_id"], ignore_index=True)
