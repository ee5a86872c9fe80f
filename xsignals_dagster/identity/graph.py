"""Deterministic identity graph: records and identifier values joined stage by stage.

Graph nodes are records (0..n_records-1) and identifier values (n_records +
identifier). A record is joined to every identifier it carries. Identifier
types are attached in order of how surely they name one person (account ids,
then loyalty ids, then - after fuzzy person matching - emails and phones,
then cookies, devices and payment tokens). Before a type is attached, each of
its values counts the distinct people ("owners") already resolved among the
records that carry it; a value with more owners than its limit is shared (a
family tablet, a store kiosk, a household landline) and joins nobody. So is a
device whose use shows people who never sign in beside its one owner (devices.py).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from xsignals_dagster.contract.vocabularies import DEVICE_ID_TYPES, MEMBERSHIP_ID_TYPES

from .identifiers import IdentifierTable
from .settings import IdentitySettings

log = logging.getLogger("xsignals.identity")


def connected_labels(n_nodes: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Component label (0..k-1) of every node of the undirected graph with these edges. Edge
    weights are booleans, so that repeated edges cannot sum to an overflowed zero."""
    adjacency = coo_matrix((np.ones(len(left), dtype=bool), (left, right)), shape=(n_nodes, n_nodes))
    return connected_components(adjacency, directed=False)[1]


class IdentityGraph:
    """The growing graph; ``labels`` is every node's component after the stages so far.

    persons: the record number of each person record; profiles: a number per
    person record, equal for records whose person fields are all equal (the
    size cap counts those once).
    """

    def __init__(
        self, table: IdentifierTable, persons: np.ndarray, profiles: np.ndarray, settings: IdentitySettings
    ) -> None:
        self.table, self.persons, self.profiles, self.settings = table, persons, profiles, settings
        self.n_nodes = table.n_records + len(table.identifiers)
        self.labels = np.arange(self.n_nodes)
        self.edges = [(np.empty(0, np.int64), np.empty(0, np.int64))]
        self.attached_types: list[str] = []
        self.persons_resolved = False
        self.shared: list[pd.DataFrame] = []
        self.shared_users: list[pd.DataFrame] = []
        self.shared_mask = np.zeros(len(table.identifiers), bool)
        self.violations = 0

        self.id_type = table.identifiers["id_type"].astype(str).to_numpy()
        occurrence_record, occurrence_identifier = (
            table.occurrences["record"].to_numpy(),
            table.occurrences["identifier"].to_numpy(),
        )
        self.occurrence_type = self.id_type[occurrence_identifier]
        is_membership_id = np.isin(self.id_type, MEMBERSHIP_ID_TYPES)
        self.membership_nodes = table.n_records + np.flatnonzero(is_membership_id)
        has_membership = np.zeros(table.n_records, bool)
        has_membership[occurrence_record[is_membership_id[occurrence_identifier]]] = True
        # Person records without a membership id weigh in the cluster size once per profile.
        self.loose_persons = ~has_membership[persons]

    # --- stages ---

    def attach(self, id_types: tuple[str, ...], shared_by_use: pd.Series | None = None) -> pd.DataFrame:
        """Join the records carrying these identifier types, except shared values; return those.

        shared_by_use: identifiers found shared from how they were used (devices.py), with the
        reason; those with an owner join nobody, those without one stay their own anonymous person.
        """
        occurrences = self.table.occurrences[np.isin(self.occurrence_type, id_types)]
        record = occurrences["record"].to_numpy()
        identifier = occurrences["identifier"].to_numpy()
        owner = self.labels[record]
        is_owner = self.is_person()[owner]
        owned = identifier[is_owner], owner[is_owner], record[is_owner]
        owners = _owner_counts(*owned[:2])
        limits = (
            pd.Series(self.settings.shared_limits, dtype=float)
            .reindex(self.id_type[owners.index.to_numpy()])
            .fillna(np.inf)
        )
        over_limit = owners[owners.to_numpy() > limits.to_numpy()]
        by_use = shared_by_use if shared_by_use is not None else pd.Series(dtype=object)
        used_shared = owners[owners.index.isin(by_use.index) & ~owners.index.isin(over_limit.index)]
        kept = ~np.isin(
            identifier, np.concatenate([over_limit.index.to_numpy(), used_shared.index.to_numpy()])
        )
        record, identifier, owner, is_owner = record[kept], identifier[kept], owner[kept], is_owner[kept]

        labels = self._labels_with(record, self.table.n_records + identifier)
        bridges = self._bridges_past_size_cap(labels, record, identifier, owner, is_owner)
        if len(bridges):
            kept = ~np.isin(identifier, bridges.index.to_numpy())
            record, identifier = record[kept], identifier[kept]
            labels = self._labels_with(record, self.table.n_records + identifier)
        self.edges.append((record, self.table.n_records + identifier))
        self.labels = labels
        self.attached_types.extend(id_types)
        self.shared_mask[over_limit.index.to_numpy()] = True
        self.shared_mask[used_shared.index.to_numpy()] = True
        self.shared_mask[bridges.index.to_numpy()] = True
        found_shared = np.isin(
            owned[0], np.concatenate([over_limit.index.to_numpy(), bridges.index.to_numpy()])
        )
        self.shared_users.append(_one_record_per_owner(*(values[found_shared] for values in owned)))

        over_limit_reason = _over_limit_reason(self.id_type[over_limit.index.to_numpy()])
        shared = pd.concat(
            [
                self._describe_shared(over_limit, over_limit_reason),
                self._describe_shared(used_shared, by_use.reindex(used_shared.index).to_numpy()),
                self._describe_shared(bridges, SIZE_CAP_REASON),
            ],
            ignore_index=True,
        )
        if len(shared):
            log.info(  # counts only: identifier values are personal data and stay out of logs
                "%s: %d shared values join nobody (most owners: %d)",
                "/".join(id_types),
                len(shared),
                int(shared["owners"].max()),
            )
        self.shared.append(shared)
        return shared

    def link_records(self, left: np.ndarray, right: np.ndarray) -> None:
        """Join record pairs that fuzzy person matching found to be one person."""
        left, right = np.asarray(left, np.int64), np.asarray(right, np.int64)
        self.labels = self._labels_with(left, right)
        self.edges.append((left, right))
        self.persons_resolved = True

    # --- what the stages see ---

    def is_person(self) -> np.ndarray:
        """Per component: is it a person resolved so far (it holds an attached identifier, or a
        person record once persons are matched)?"""
        flag = np.zeros(self.n_nodes, bool)
        attached = self.table.n_records + np.flatnonzero(np.isin(self.id_type, self.attached_types))
        flag[self.labels[attached]] = True
        if self.persons_resolved:
            flag[self.labels[self.persons]] = True
        return flag

    def cluster_sizes(self) -> np.ndarray:
        """Per component: membership ids plus distinct profiles of person records without one."""
        return self._sizes(self.labels)

    def _sizes(self, labels: np.ndarray) -> np.ndarray:
        size = np.bincount(labels[self.membership_nodes], minlength=self.n_nodes)
        loose = pd.DataFrame(
            {"label": labels[self.persons[self.loose_persons]], "profile": self.profiles[self.loose_persons]}
        )
        loose_counts = loose.drop_duplicates()["label"].value_counts()
        size[loose_counts.index.to_numpy()] += loose_counts.to_numpy()
        return size

    def shared_identifiers(self) -> pd.DataFrame:
        """id_type, id_value, owners, reason of every value found shared."""
        return pd.concat(self.shared, ignore_index=True) if self.shared else _empty_shared()

    def shared_identifier_users(self) -> pd.DataFrame:
        """identifier, record: for every value found shared, one record of each of its owners that
        carries it (the first): who the people sharing it are."""
        if not self.shared_users:
            return pd.DataFrame({"identifier": [], "record": []}, dtype=np.int64)
        return pd.concat(self.shared_users, ignore_index=True)

    # --- internals ---

    def _labels_with(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Component labels with these edges added to the graph."""
        lefts, rights = zip(*self.edges, (left, right), strict=False)
        return connected_labels(self.n_nodes, np.concatenate(lefts), np.concatenate(rights))

    def _describe_shared(self, owners: pd.Series, reason) -> pd.DataFrame:
        """id_type, id_value, owners, reason for identifiers given as an owner count per identifier."""
        identifiers = self.table.identifiers.iloc[owners.index.to_numpy()]
        return pd.DataFrame(
            {
                "id_type": identifiers["id_type"].astype(str).to_numpy(),
                "id_value": identifiers["id_value"].to_numpy(),
                "owners": owners.to_numpy(),
                "reason": reason,
            }
        )

    def _bridges_past_size_cap(
        self,
        labels: np.ndarray,
        record: np.ndarray,
        identifier: np.ndarray,
        owner: np.ndarray,
        is_owner: np.ndarray,
    ) -> pd.Series:
        """Values of this stage that join several owners into a cluster past the size cap (with
        their owner counts).

        Each such cluster is a guard violation, logged; its bridges become shared.
        """
        new_label = labels[record]
        owners_joined = _owner_counts(new_label[is_owner], owner[is_owner])
        sizes = self._sizes(labels)[owners_joined.index.to_numpy()]
        oversized = owners_joined.index[
            (owners_joined.to_numpy() > 1) & (sizes > self.settings.max_cluster_size)
        ].to_numpy()
        if not len(oversized):
            return owners_joined.iloc[:0]
        inside = np.isin(new_label, oversized) & is_owner
        bridge_owners = _owner_counts(identifier[inside], owner[inside])
        bridges = bridge_owners[bridge_owners.to_numpy() > 1]
        self.violations += len(oversized)
        log.warning(
            "cluster size cap %d: %d clusters joined by %s grew past it; %d bridging values made shared",
            self.settings.max_cluster_size,
            len(oversized),
            "/".join(sorted(set(self.id_type[identifier]))),
            len(bridges),
        )
        return bridges


# Why a value is shared (shared_identifiers.reason). A device-level value (cookie, app device, payment
# token) used by two people whose person records did not link - a family tablet, a shared login, a
# household card - is shared, not a bridge; person-level values past their type's limit are the backstop.
SHARED_DEVICE_REASON = "device used by people whose person records are not linked"
OVER_LIMIT_REASON = "seen with more people than its type's limit"
SIZE_CAP_REASON = "would join people past the cluster size cap"


def _over_limit_reason(id_types: np.ndarray) -> np.ndarray:
    return np.where(np.isin(id_types, DEVICE_ID_TYPES), SHARED_DEVICE_REASON, OVER_LIMIT_REASON)


def _owner_counts(identifier: np.ndarray, owner: np.ndarray) -> pd.Series:
    """Distinct owners per identifier (or per any key given first)."""
    return pd.DataFrame({"key": identifier, "owner": owner}).drop_duplicates().groupby("key").size()


def _one_record_per_owner(identifier: np.ndarray, owner: np.ndarray, record: np.ndarray) -> pd.DataFrame:
    """identifier, record: the first record of each distinct (identifier, owner)."""
    users = pd.DataFrame({"identifier": identifier, "owner": owner, "record": record})
    users = users.sort_values(["identifier", "record"], kind="stable").drop_duplicates(
        ["identifier", "owner"]
    )
    return users[["identifier", "record"]]


def _empty_shared() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id_type": pd.Series(dtype=str),
            "id_value": pd.Series(dtype=object),
            "owners": pd.Series(dtype=np.int64),
            "reason": pd.Series(dtype=str),
        }
    )
