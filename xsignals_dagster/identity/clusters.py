"""Clustering of fuzzy person links, guarded against chaining.

Person records start in the groups the membership ids already made. Groups
joined by an accepted link merge by average linkage: every record pair across
the two groups is scored (one record per distinct profile), and the merge
happens only if their average match weight clears the threshold, no pair
clearly conflicts (household guard) and the result stays within the size cap.
So one weak bridge cannot chain two people. Merges go in rounds of mutual best
partners: the strongest join first, and later decisions see the grown groups.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .fellegi_sunter import FellegiSunterModel
from .household import clear_differences, conflicts, personal_evidence, same_household
from .linkage import EncodedPersons, compare_pairs
from .settings import IdentitySettings

log = logging.getLogger("xsignals.identity")


class PairScores:
    """Levels, match weight, probability and verdict of person pairs, computed once and kept.

    Pairs are stored as (left, right) with left > right, keyed left * n + right.
    """

    def __init__(
        self, persons: EncodedPersons, model: FellegiSunterModel, settings: IdentitySettings
    ) -> None:
        self.persons, self.model, self.settings = persons, model, settings
        none = np.empty(0, np.int64)
        self.table = self._frame(none, none, compare_pairs(persons, none, none))

    def add(self, left: np.ndarray, right: np.ndarray, levels: pd.DataFrame) -> None:
        """Keep the scores of pairs whose levels are already known."""
        new = self._frame(np.maximum(left, right), np.minimum(left, right), levels)
        self.table = pd.concat([self.table, new[~new.index.isin(self.table.index)]])

    def get(self, left: np.ndarray, right: np.ndarray) -> pd.DataFrame:
        """Scores of these pairs, in this order; pairs not seen before are compared now."""
        keys = self._keys(np.maximum(left, right), np.minimum(left, right))
        missing = np.sort(pd.unique(keys[~pd.Index(keys).isin(self.table.index)]))
        if len(missing):
            n = len(self.persons)
            self.add(missing // n, missing % n, compare_pairs(self.persons, missing // n, missing % n))
        return self.table.loc[keys]

    def accepted(self) -> pd.DataFrame:
        return self.table[self.table["accepted"].to_numpy()]

    def _keys(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        return np.asarray(left, np.int64) * len(self.persons) + np.asarray(right, np.int64)

    def _frame(self, left: np.ndarray, right: np.ndarray, levels: pd.DataFrame) -> pd.DataFrame:
        frame = levels.reset_index(drop=True).astype(np.int8)
        weight = self.model.match_weight(frame)
        guard = self.settings.household_guard
        clash = conflicts(frame) & guard
        unproven = ~personal_evidence(frame) & guard
        frame["left"], frame["right"] = np.asarray(left, np.int64), np.asarray(right, np.int64)
        frame["match_weight"] = weight
        frame["match_probability"] = 1.0 / (1.0 + np.exp2(-weight))
        frame["conflict"] = clash
        frame["no_personal_evidence"] = unproven
        frame["clear_differences"] = clear_differences(frame)
        likely = frame["match_probability"].to_numpy() >= self.settings.match_threshold
        frame["accepted"] = likely & ~clash & ~unproven
        # A pair a model blind to households would link, kept apart by the household stratum or guard.
        blind = weight.copy()  # differs only within the household stratum
        home = same_household(frame)
        blind[home] = self.model.match_weight(frame[home], households=False)
        blind_likely = 1.0 / (1.0 + np.exp2(-blind)) >= self.settings.match_threshold
        frame["household_separated"] = blind_likely & (~likely | clash)
        frame.index = pd.Index(self._keys(left, right), name="key")
        return frame


@dataclass(frozen=True)
class PersonClusters:
    """group: the final group of each person position.
    joins: left, right - for each merge, the strongest accepted link across it.
    refused: groups an accepted link would have joined, and why they stayed apart
    (mean_weight, conflict, too_big), with a member pair that conflicted (conflict_left,
    conflict_right: person positions, -1 when none did)."""

    group: np.ndarray
    joins: pd.DataFrame
    refused: pd.DataFrame


def cluster_persons(
    initial_group: np.ndarray,
    group_size: np.ndarray,
    profiles: np.ndarray,
    scores: PairScores,
    settings: IdentitySettings,
) -> PersonClusters:
    """Merge groups along accepted links by guarded average linkage (see the module doc).

    initial_group: a label per person position; group_size: per person position,
    the size of its initial group as the size cap counts it; profiles: equal for
    persons whose fields are all equal.
    """
    _, first_member, group = np.unique(initial_group, return_index=True, return_inverse=True)
    size = np.asarray(group_size, float)[first_member]
    accepted = scores.accepted()
    link_left, link_right = accepted["left"].to_numpy(), accepted["right"].to_numpy()
    threshold_weight = np.log2(settings.match_threshold / (1 - settings.match_threshold))
    joins = []
    while True:
        candidates = _group_pairs(group, link_left, link_right)
        if candidates.empty:
            break
        candidates = _average_linkage(candidates, group, profiles, scores)
        candidates["too_big"] = size[candidates["a"]] + size[candidates["b"]] > settings.max_cluster_size
        allowed = candidates[
            (candidates["mean_weight"] >= threshold_weight) & ~candidates["conflict"] & ~candidates["too_big"]
        ]
        if allowed.empty:
            break
        merging = _mutual_best(allowed)
        joins.append(_strongest_links(merging, group, accepted))
        absorbed_into = np.arange(len(size))
        absorbed_into[merging["b"].to_numpy()] = merging["a"].to_numpy()
        size[merging["a"].to_numpy()] += size[merging["b"].to_numpy()]
        group = absorbed_into[group]

    if candidates.empty:  # nothing left to refuse
        candidates = candidates.assign(
            mean_weight=0.0, conflict=False, conflict_left=-1, conflict_right=-1, too_big=False
        )
    return PersonClusters(
        group=group,
        joins=pd.concat(joins, ignore_index=True)
        if joins
        else pd.DataFrame({"left": [], "right": []}, dtype=np.int64),
        refused=candidates[
            ["a", "b", "mean_weight", "conflict", "conflict_left", "conflict_right", "too_big"]
        ].reset_index(drop=True),
    )


def _group_pairs(group: np.ndarray, left: np.ndarray, right: np.ndarray) -> pd.DataFrame:
    """Distinct (a < b) pairs of groups that an accepted link crosses."""
    group_left, group_right = group[left], group[right]
    cross = group_left != group_right
    pairs = pd.DataFrame(
        {"a": np.minimum(group_left, group_right)[cross], "b": np.maximum(group_left, group_right)[cross]}
    )
    return pairs.drop_duplicates().reset_index(drop=True)


def _average_linkage(
    candidates: pd.DataFrame, group: np.ndarray, profiles: np.ndarray, scores: PairScores
) -> pd.DataFrame:
    """Mean match weight and any conflict over all cross pairs of each group pair (one person per
    profile), with the first conflicting pair (conflict_left, conflict_right; -1 when none)."""
    members = pd.DataFrame(
        {"group": group, "profile": profiles, "person": np.arange(len(group))}
    ).drop_duplicates(["group", "profile"])
    members = members.sort_values("group", kind="stable")
    member_group, member_person = members["group"].to_numpy(), members["person"].to_numpy()
    start = np.searchsorted(member_group, np.arange(group.max() + 1))
    count = np.bincount(member_group, minlength=group.max() + 1)

    a, b = candidates["a"].to_numpy(), candidates["b"].to_numpy()
    n_a, n_b = count[a], count[b]
    n_cross = n_a * n_b
    pair_id = np.repeat(np.arange(len(candidates)), n_cross)
    offset = np.arange(n_cross.sum()) - np.repeat(np.cumsum(n_cross) - n_cross, n_cross)
    left = member_person[start[a][pair_id] + offset // n_b[pair_id]]
    right = member_person[start[b][pair_id] + offset % n_b[pair_id]]
    scored = scores.get(left, right)
    clashing = np.flatnonzero(scored["conflict"].to_numpy())
    clashing_group_pairs, first = np.unique(pair_id[clashing], return_index=True)
    conflict_left, conflict_right = np.full(len(candidates), -1), np.full(len(candidates), -1)
    conflict_left[clashing_group_pairs] = left[clashing[first]]
    conflict_right[clashing_group_pairs] = right[clashing[first]]
    return candidates.assign(
        mean_weight=np.bincount(pair_id, scored["match_weight"].to_numpy(), len(candidates)) / n_cross,
        conflict=conflict_left >= 0,
        conflict_left=conflict_left,
        conflict_right=conflict_right,
    )


def _mutual_best(allowed: pd.DataFrame) -> pd.DataFrame:
    """The allowed group pairs that are each other's best partner (highest mean weight, then lowest id)."""
    both_ways = pd.concat(
        [
            allowed.rename(columns={"a": "group", "b": "partner"}),
            allowed.rename(columns={"b": "group", "a": "partner"}),
        ]
    )
    best = both_ways.sort_values(
        ["group", "mean_weight", "partner"], ascending=[True, False, True]
    ).drop_duplicates("group")
    best_partner = pd.Series(best["partner"].to_numpy(), index=best["group"].to_numpy())
    mutual = (best_partner.reindex(allowed["a"]).to_numpy() == allowed["b"].to_numpy()) & (
        best_partner.reindex(allowed["b"]).to_numpy() == allowed["a"].to_numpy()
    )
    return allowed[mutual]


def _strongest_links(merging: pd.DataFrame, group: np.ndarray, accepted: pd.DataFrame) -> pd.DataFrame:
    """For each merging group pair, the accepted person link with the highest match weight across it."""
    group_left, group_right = group[accepted["left"].to_numpy()], group[accepted["right"].to_numpy()]
    links = accepted[["left", "right", "match_weight"]].assign(
        a=np.minimum(group_left, group_right), b=np.maximum(group_left, group_right)
    )
    links = links.merge(merging[["a", "b"]], on=["a", "b"])
    return links.sort_values("match_weight", ascending=False).drop_duplicates(["a", "b"])[["left", "right"]]
