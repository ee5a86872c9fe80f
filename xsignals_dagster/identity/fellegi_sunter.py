"""The Fellegi-Sunter model of person pairs: u from random pairs, m and the prior by a bounded EM.

u (how often non-matches agree by chance) comes from random record pairs, never from the
candidates, which agree on a blocked field by construction. m (how often matches agree) and
the match prior are fitted by EM on the candidate pairs, with the pairs that membership ids
prove to be one person held as matches and pairs that clearly conflict held as non-matches.
recordlinkage's own ECM classifier takes only binary features, and multi-level agreement is
what tells a typo from a different person, so the EM lives here.

Without anchors an unbounded EM settles on the largest class of alike candidates, and where
households share surname and address that class is the household: it learns that a different
first name and birth date are what matches look like. So m of a clearly different first name
and date of birth is bounded (``IdentitySettings.max_m_clear_difference``): data errors may
replace a person's name or date wholesale (FEBRL), but not in most of one person's records.

Random-pair u also misjudges what two members of one household share. Between strangers a shared
birth date is a one-in-20,000 coincidence; between members of one household it is twins, or a form
that copied one member's date onto another's record, and surname plus address line, each rare
between strangers, agree for every member. So pairs that share a surname (up to a typo) and an
address line (``household.same_household``) form a stratum of their own: the EM fits its match share
and the u of every other field among its non-matches, and such a pair is weighed by those alone
(``FellegiSunterModel.household_weight``); m is shared with the other pairs. A field's household u is
learnt only from pairs that another personal field can judge (first names from pairs whose birth
dates, emails or phones are known, and the reverse): a pair that only that field can judge would
teach it its own verdict. Without households (FEBRL) nearly all of the stratum's pairs are one person,
its match share comes out near 1, and its u stay at the random-pair values they start from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .household import CLEAR_DIFFERENCE, HOUSEHOLD, PERSONAL_EVIDENCE, same_household
from .linkage import COMPARISON_NAMES, COMPARISONS, Comparison, EncodedPersons, compare_pairs
from .settings import IdentitySettings

ADDRESS_COMPARISONS = ("street", "city", "postcode", "state")
MOVED_WHEN_DIFFERENT = ("street", "city", "postcode")  # all "different": another address, counted once
HOUSEHOLD_STRATUM = "same surname and address"


@dataclass(frozen=True)
class FellegiSunterModel:
    """m and u probabilities per comparison level and the chance that two random records match."""

    m: dict[str, np.ndarray]
    u: dict[str, np.ndarray]
    match_prior: float
    iterations: int
    # Within the household stratum (``household.same_household``): u among its non-matches, and
    # the share of its pairs that match. None: scored like any other pair.
    household_u: dict[str, np.ndarray] | None = None
    household_prior: float = 0.5

    def match_weight(self, levels: pd.DataFrame, households: bool = True) -> np.ndarray:
        """log2 odds of a match: prior odds plus each comparison's log2(m/u); a missing side adds 0.

        A move changes street, city and postcode (and often state) at once: where street, city and
        postcode all differ, the address fields count once, by the strongest of their weights,
        rather than four times over. Pairs of one household stratum are weighed by
        ``household_weight`` (unless households is False: the household-blind weight).
        """
        weight = np.full(len(levels), np.log2(self.match_prior / (1 - self.match_prior)))
        address = np.zeros((len(levels), len(ADDRESS_COMPARISONS)))
        for name in COMPARISON_NAMES:
            part = np.concatenate([[0.0], np.log2(self.m[name] / self.u[name])])[levels[name].to_numpy()]
            if name in ADDRESS_COMPARISONS:
                address[:, ADDRESS_COMPARISONS.index(name)] = part
            else:
                weight += part
        moved = np.ones(len(levels), bool)
        for name in MOVED_WHEN_DIFFERENT:
            moved &= levels[name].to_numpy() == 1
        weight += np.where(moved, address.min(axis=1), address.sum(axis=1))
        if households and self.household_u is not None:
            home = same_household(levels)
            weight[home] = self.household_weight(levels[home])
        return weight

    def household_weight(self, levels: pd.DataFrame) -> np.ndarray:
        """log2 odds of a match for pairs of one household stratum: its own prior odds plus each
        field's log2(m/u) with u among the stratum's non-matches; the shared surname and address,
        which the stratum's members all have, say nothing more."""
        weight = np.full(len(levels), np.log2(self.household_prior / (1 - self.household_prior)))
        for name in COMPARISON_NAMES:
            if name not in HOUSEHOLD:
                ratio = np.log2(self.m[name] / self.household_u[name])
                weight += np.concatenate([[0.0], ratio])[levels[name].to_numpy()]
        return weight

    def probability(self, levels: pd.DataFrame) -> np.ndarray:
        return 1.0 / (1.0 + np.exp2(-self.match_weight(levels)))

    def describe(self) -> pd.DataFrame:
        """One row per comparison level: m, u and the match weight it adds; then, for the household
        stratum, its match share (m: matches, u: non-matches) and each level's u among its non-matches
        (comparison "<name> in household")."""
        rows = [
            (
                c.name,
                c.levels[k],
                self.m[c.name][k],
                self.u[c.name][k],
                np.log2(self.m[c.name][k] / self.u[c.name][k]),
            )
            for c in COMPARISONS
            for k in range(len(c.levels))
        ]
        if self.household_u is not None:
            share = self.household_prior
            rows.append((HOUSEHOLD_STRATUM, "match_share", share, 1 - share, np.log2(share / (1 - share))))
            rows += [
                (
                    f"{c.name} in household",
                    c.levels[k],
                    self.m[c.name][k],
                    self.household_u[c.name][k],
                    np.log2(self.m[c.name][k] / self.household_u[c.name][k]),
                )
                for c in COMPARISONS
                if c.name not in HOUSEHOLD
                for k in range(len(c.levels))
            ]
        return pd.DataFrame(rows, columns=["comparison", "level", "m", "u", "match_weight"])


def estimate_u(persons: EncodedPersons, settings: IdentitySettings) -> dict[str, np.ndarray]:
    """Level frequencies among random record pairs, which are almost all non-matches.

    Estimating u here rather than among the candidate pairs keeps the blocked
    fields informative: candidates agree on a surname by construction, random
    pairs rarely do.
    """
    n = len(persons)
    total = n * (n - 1) // 2
    if total <= settings.u_sample_pairs:
        left, right = np.tril_indices(n, k=-1)
    else:
        rng = np.random.default_rng(0)  # reproducible runs
        left, right = rng.integers(0, n, settings.u_sample_pairs), rng.integers(0, n, settings.u_sample_pairs)
        left, right = left[left != right], right[left != right]
    levels = compare_pairs(persons, left, right)
    return {
        c.name: _smoothed(_level_counts(levels[c.name], None, c), c.default_u, settings.prior_strength)
        for c in COMPARISONS
    }


def fit_fellegi_sunter(
    levels: pd.DataFrame,
    known_match: np.ndarray,
    u: dict[str, np.ndarray],
    total_pairs: int,
    settings: IdentitySettings,
) -> FellegiSunterModel:
    """EM for m and the match prior, with u fixed, over the distinct comparison patterns of the candidates.

    known_match: 1.0 for pairs proven to be one person, 0.0 for pairs proven
    different, NaN for the rest (whose posterior EM estimates). The matches are
    assumed to lie among the candidates, so the prior is their expected number
    over ``total_pairs``. Each m is smoothed by ``settings.prior_strength``
    pseudo-pairs of its default, and bounded where a personal field clearly
    differs (see the module doc).
    """
    # One int64 per pair: its clamp code (2 = free) and levels as base-8 digits.
    matrix = np.column_stack(
        [np.where(np.isnan(known_match), 2, known_match), levels[list(COMPARISON_NAMES)].to_numpy()]
    ).astype(np.int64)
    digits = 8 ** np.arange(matrix.shape[1] - 1, -1, -1, dtype=np.int64)
    pattern_of_pair, keys = pd.factorize(matrix @ digits)
    counts = np.bincount(pattern_of_pair, minlength=len(keys))
    patterns = (keys[:, None] // digits) % 8
    pattern_levels = pd.DataFrame(patterns[:, 1:], columns=list(COMPARISON_NAMES))
    pattern_clamp = patterns[:, 0]
    total_pairs = max(total_pairs, 1)

    home = same_household(pattern_levels)
    home_pairs = counts[home].sum()
    # Each field's u in the household stratum is learnt from the pairs another personal field can judge.
    judged = {
        c.name: home
        & np.any([pattern_levels[p].to_numpy() > 0 for p in PERSONAL_EVIDENCE if p != c.name], axis=0)
        for c in COMPARISONS
    }

    # Start as if every record had one duplicate, and household members agreed as seldom as strangers.
    model = FellegiSunterModel(
        m={c.name: np.array(c.default_m) for c in COMPARISONS},
        u=u,
        match_prior=min(0.5, 1 / np.sqrt(2 * total_pairs)),
        iterations=0,
        household_u=dict(u),
        household_prior=0.5,
    )
    for iteration in range(1, settings.em_max_iterations + 1):
        posterior = np.where(
            pattern_clamp == 2, model.probability(pattern_levels), pattern_clamp.astype(float)
        )
        matches = posterior * counts
        m = {}
        for c in COMPARISONS:
            level_matches = _level_counts(pattern_levels[c.name], matches, c)
            m[c.name] = _bounded(c, _smoothed(level_matches, c.default_m, settings.prior_strength), settings)
        prior = float(np.clip(matches.sum() / total_pairs, 1e-12, 0.5))
        others = (1 - posterior) * counts
        home_u = {
            c.name: _smoothed(
                _level_counts(pattern_levels[c.name][judged[c.name]], others[judged[c.name]], c),
                u[c.name],
                settings.prior_strength,
            )
            for c in COMPARISONS
        }
        home_prior = float(np.clip(matches[home].sum() / home_pairs, 1e-6, 1 - 1e-6)) if home_pairs else 0.5
        change = max(
            [abs(np.log(prior / model.match_prior)), abs(np.log(home_prior / model.household_prior))]
            + [np.abs(m[n] - model.m[n]).max() for n in COMPARISON_NAMES]
            + [np.abs(home_u[n] - model.household_u[n]).max() for n in COMPARISON_NAMES]
        )
        model = FellegiSunterModel(
            m=m, u=u, match_prior=prior, iterations=iteration, household_u=home_u, household_prior=home_prior
        )
        if change < settings.em_tolerance:
            break
    return model


def _level_counts(levels: pd.Series, weights: np.ndarray | None, comparison: Comparison) -> np.ndarray:
    """(Weighted) count of each level 1..k; level 0, a missing side, is left out."""
    return np.bincount(levels.to_numpy(), weights, len(comparison.levels) + 1)[1:]


def _bounded(comparison: Comparison, m: np.ndarray, settings: IdentitySettings) -> np.ndarray:
    """m with a clear difference of a personal field (CLEAR_DIFFERENCE) capped at
    ``settings.max_m_clear_difference``, the other levels scaled up to make up the rest."""
    if comparison.name not in CLEAR_DIFFERENCE:
        return m
    index = CLEAR_DIFFERENCE[comparison.name] - 1  # m has no entry for level 0 (missing)
    cap = settings.max_m_clear_difference
    if m[index] <= cap:
        return m
    bounded = m * (1 - cap) / (1 - m[index])
    bounded[index] = cap
    return bounded


def _smoothed(weights: np.ndarray, default: tuple[float, ...], strength: float) -> np.ndarray:
    counts = weights + strength * np.asarray(default)
    return counts / counts.sum()
