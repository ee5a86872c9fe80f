"""Fuzzy matching of person records: blocking and comparison levels.

Candidate pairs come from several blocking passes (recordlinkage ``Index``);
each pair is compared field by field into discrete agreement levels
(recordlinkage ``Compare`` with vectorised domain comparisons: nicknames,
swapped names, day/month swaps, typos). The Fellegi-Sunter model that turns
the levels into a match probability is in ``fellegi_sunter``; the household
rules over the levels (personal evidence, clear differences) in ``household``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
import recordlinkage
from rapidfuzz import distance, process

from .nicknames import nickname_groups
from .persons import BLOCKING_COLUMNS
from .settings import IdentitySettings

log = logging.getLogger("xsignals.identity")
# recordlinkage logs every indexing and comparing call at INFO; clustering makes many.
logging.getLogger("recordlinkage").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Comparison:
    """One compared field: its level names (level 0 means a side is missing) and default m/u."""

    name: str
    levels: tuple[str, ...]
    default_m: tuple[float, ...]
    default_u: tuple[float, ...]

    @property
    def level_names(self) -> tuple[str, ...]:
        """Names indexed by level, level 0 included."""
        return ("missing",) + self.levels


# Default m (share among matches) and u (share among random pairs) per level,
# used where the data is too small to say otherwise.
COMPARISONS = (
    Comparison(
        "first_name",
        ("different", "similar", "close_or_nickname", "exact"),
        (0.02, 0.05, 0.13, 0.80),
        (0.93, 0.05, 0.01, 0.01),
    ),
    Comparison(
        "last_name",
        ("different", "similar", "close", "exact"),
        (0.02, 0.04, 0.10, 0.84),
        (0.95, 0.04, 0.005, 0.005),
    ),
    Comparison(
        "birth_date",
        ("different", "two_digits_differ", "one_digit_or_day_month_swap", "exact"),
        (0.01, 0.01, 0.05, 0.93),
        (0.995, 0.004, 0.0008, 0.0002),
    ),
    Comparison(
        "street",
        ("different", "similar", "same_street", "exact"),
        (0.10, 0.05, 0.15, 0.70),
        (0.995, 0.004, 0.0008, 0.0002),
    ),
    Comparison("city", ("different", "similar", "exact"), (0.10, 0.05, 0.85), (0.97, 0.01, 0.02)),
    Comparison("postcode", ("different", "one_edit", "exact"), (0.08, 0.04, 0.88), (0.98, 0.015, 0.005)),
    Comparison("state", ("different", "exact"), (0.05, 0.95), (0.70, 0.30)),
    # Only whole addresses: local parts of different people echo their names (john.smith1@, john.smith2@,
    # john.smith@ and johnsmith@). The same mailbox but for dots and +tags, one at some providers only,
    # says nothing either way (level 0).
    Comparison("email", ("different", "exact"), (0.30, 0.70), (0.9999, 0.0001)),
    Comparison("phone", ("different", "one_edit", "exact"), (0.30, 0.05, 0.65), (0.999, 0.0009, 0.0001)),
)
COMPARISON_NAMES = tuple(c.name for c in COMPARISONS)


def candidate_pairs(persons: pd.DataFrame, settings: IdentitySettings) -> tuple[np.ndarray, np.ndarray, int]:
    """Pairs (left > right positions) that share a key in any blocking pass; and the oversized
    blocks left out."""
    unknown = {column for columns in settings.blocking_passes for column in columns} - set(BLOCKING_COLUMNS)
    if unknown:
        raise ValueError(
            f"blocking passes use unknown columns {sorted(unknown)}; choose from {BLOCKING_COLUMNS}"
        )
    keys = pd.DataFrame(index=pd.RangeIndex(len(persons)))
    pair_keys = [np.empty(0, np.int64)]
    oversized_blocks = 0
    for columns in settings.blocking_passes:
        key = persons[columns[0]]
        if len(columns) > 1:
            key = key.str.cat([persons[c] for c in columns[1:]], sep="|")  # NA when any part is
        block_sizes = key.map(key.value_counts()).fillna(0).astype(np.int64)
        oversized = (block_sizes > settings.max_block_size).to_numpy()
        if oversized.any():
            n_blocks = key[oversized].nunique()
            oversized_blocks += n_blocks
            log.warning(  # no key values: they are names, dates and addresses
                "blocking on %s: %d blocks larger than %d records left out (%d records)",
                "+".join(columns),
                n_blocks,
                settings.max_block_size,
                int(oversized.sum()),
            )
        keys["key"] = key.mask(oversized).to_numpy()
        pairs = recordlinkage.index.Block(left_on="key").index(keys)
        pair_keys.append(
            pairs.get_level_values(0).to_numpy(np.int64) * len(persons)
            + pairs.get_level_values(1).to_numpy(np.int64)
        )
    distinct = sorted_unique(np.concatenate(pair_keys))
    return distinct // max(len(persons), 1), distinct % max(len(persons), 1), oversized_blocks


@dataclass(frozen=True)
class EncodedPersons:
    """Person fields as integer codes into per-field vocabularies (-1 = missing).

    Comparisons then work on numpy codes, and a string similarity is computed
    once per distinct pair of values. First and last names share one
    vocabulary so that swapped names can be compared crosswise.
    """

    codes: pd.DataFrame
    vocabulary: dict[str, np.ndarray]
    # Per distinct value, plus a last entry that code -1 (missing) picks:
    birth_date_swapped: np.ndarray  # the code of the date with day and month swapped, or -1
    nickname_masks: np.ndarray  # the name's nickname groups

    def __len__(self) -> int:
        return len(self.codes)


# Columns encoded over one vocabulary.
VOCABULARIES = {
    "name": ("first_name", "last_name"),
    "date_of_birth": ("date_of_birth",),
    "street": ("street",),
    "street_name": ("street_name",),
    "street_number": ("street_number",),
    "city": ("city",),
    "postcode": ("postcode",),
    "state": ("state",),
    "email": ("email",),
    "email_key": ("email_key",),
    "phone": ("phone",),
}


def encode_persons(persons: pd.DataFrame) -> EncodedPersons:
    """Codes of the compared person columns (see VOCABULARIES)."""
    codes, vocabulary = {}, {}
    for name, columns in VOCABULARIES.items():
        values = pd.Index(pd.unique(pd.concat([persons[c] for c in columns]).dropna().astype(str)))
        vocabulary[name] = values.to_numpy(dtype=object)
        for column in columns:
            codes[column] = values.get_indexer(
                persons[column].astype(object).where(persons[column].notna(), None)
            ).astype(np.int32)
    # records per distinct name (as a first or a last name)
    name_records = np.bincount(
        np.concatenate([codes["first_name"], codes["last_name"]]) + 1, minlength=len(vocabulary["name"]) + 1
    )[1:]
    dates = pd.Series(vocabulary["date_of_birth"], dtype=object)
    swapped = dates.str[:4] + dates.str[6:8] + dates.str[4:6]
    return EncodedPersons(
        codes=pd.DataFrame(codes),
        vocabulary=vocabulary,
        birth_date_swapped=np.append(pd.Index(vocabulary["date_of_birth"]).get_indexer(swapped), -1).astype(
            np.int32
        ),
        nickname_masks=nickname_groups(np.append(vocabulary["name"], ""), np.append(name_records, 0)),
    )


def compare_pairs(persons: EncodedPersons, left: np.ndarray, right: np.ndarray) -> pd.DataFrame:
    """Agreement level (int8, 0 = missing) of every comparison for the pairs (left[i], right[i])."""
    if len(left) == 0:
        return pd.DataFrame({name: np.empty(0, np.int8) for name in COMPARISON_NAMES})
    vocabulary = persons.vocabulary
    compare = recordlinkage.Compare(indexing_type="position")
    names = ["first_name", "last_name"]
    compare.compare_vectorized(
        _name_levels, names, names, vocabulary["name"], persons.nickname_masks, label=names
    )
    compare.compare_vectorized(
        _birth_date_levels,
        "date_of_birth",
        "date_of_birth",
        vocabulary["date_of_birth"],
        persons.birth_date_swapped,
        label="birth_date",
    )
    compare.compare_vectorized(
        _street_levels,
        ["street", "street_name", "street_number"],
        ["street", "street_name", "street_number"],
        vocabulary,
        label="street",
    )
    compare.compare_vectorized(_city_levels, "city", "city", vocabulary["city"], label="city")
    compare.compare_vectorized(
        _postcode_levels, "postcode", "postcode", vocabulary["postcode"], label="postcode"
    )
    compare.compare_vectorized(_exact_levels, "state", "state", label="state")
    compare.compare_vectorized(_email_levels, ["email", "email_key"], ["email", "email_key"], label="email")
    compare.compare_vectorized(_phone_levels, "phone", "phone", vocabulary["phone"], label="phone")
    levels = compare.compute(pd.MultiIndex.from_arrays([left, right]), persons.codes)
    return levels[list(COMPARISON_NAMES)].reset_index(drop=True).astype(np.int8)


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique by hashing first (sorting only the distinct values): much faster on millions of pairs."""
    return np.sort(pd.unique(values))


# --- comparison functions: aligned code Series in, int8 levels out (0 = a side is missing) ---


class _DistinctPairs:
    """Aligned code arrays (left[i], right[i] index values; -1 is missing) reduced to their distinct
    present pairs, so that every string score is computed once per distinct pair of values."""

    def __init__(self, left: np.ndarray, right: np.ndarray, values: np.ndarray) -> None:
        self.left, self.right = left, right
        self.present = (left >= 0) & (right >= 0)
        keys = left[self.present].astype(np.int64) * (len(values) + 1) + right[self.present]
        self.inverse, distinct = pd.factorize(keys)  # hashing: far faster than sorting millions of pairs
        self.left_values = values[distinct // (len(values) + 1)].tolist()
        self.right_values = values[distinct % (len(values) + 1)].tolist()
        self.lengths = np.append(
            np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values)), 0
        )  # -1: 0

    def score(self, scorer) -> np.ndarray:
        """scorer(left value, right value) per pair; 0 where a side is missing."""
        scores = process.cpdist(self.left_values, self.right_values, scorer=scorer, workers=-1)
        result = np.zeros(len(self.left), dtype=np.float64)
        result[self.present] = scores[self.inverse]
        return result


def _jaro_winkler(pairs: _DistinctPairs) -> np.ndarray:
    return pairs.score(distance.JaroWinkler.normalized_similarity)


def _edits(pairs: _DistinctPairs) -> np.ndarray:
    """Optimal string alignment distance: a transposition counts as one edit."""
    return pairs.score(distance.OSA.distance)


def _one_ends_other(pairs: _DistinctPairs, end, min_length: int) -> np.ndarray:
    """True where the shorter value (at least min_length long) is the start (Prefix) or end
    (Postfix) of the other."""
    shorter = np.minimum(pairs.lengths[pairs.left], pairs.lengths[pairs.right])
    return pairs.present & (shorter >= min_length) & (pairs.score(end.similarity) == shorter)


def _codes(*series: pd.Series) -> list[np.ndarray]:
    return [s.to_numpy() for s in series]


def _graded(left: np.ndarray, right: np.ndarray, conditions: list[np.ndarray]) -> np.ndarray:
    """Top level for the first true condition (best first), level 1 when none holds, 0 when missing."""
    top = len(conditions) + 1
    level = np.select(conditions, list(range(top, 1, -1)), 1)
    return np.where((left < 0) | (right < 0), 0, level).astype(np.int8)


def _exact_levels(left: pd.Series, right: pd.Series) -> np.ndarray:
    left, right = _codes(left, right)
    return _graded(left, right, [left == right])


def _email_levels(email_l, key_l, email_r, key_r) -> np.ndarray:
    """Exact; different; 0 (unknown) for the same mailbox but for dots and +tags, which is one
    mailbox at some providers only and two people's (john.smith@, johnsmith@) at others."""
    email_l, key_l, email_r, key_r = _codes(email_l, key_l, email_r, key_r)
    level = _graded(email_l, email_r, [email_l == email_r])
    return np.where((email_l != email_r) & (key_l == key_r) & (key_l >= 0), 0, level).astype(np.int8)


def _city_levels(left: pd.Series, right: pd.Series, values: np.ndarray) -> np.ndarray:
    left, right = _codes(left, right)
    return _graded(left, right, [left == right, _jaro_winkler(_DistinctPairs(left, right, values)) >= 0.9])


def _surname_levels(left: np.ndarray, right: np.ndarray, names: np.ndarray) -> np.ndarray:
    """Exact; close (Jaro-Winkler >= 0.92); similar (>= 0.8, or one typing slip apart); different."""
    pairs = _DistinctPairs(left, right, names)
    similarity = _jaro_winkler(pairs)
    return _graded(
        left, right, [left == right, similarity >= 0.92, (similarity >= 0.8) | (_edits(pairs) <= 1)]
    )


def _first_name_levels(
    left: np.ndarray, right: np.ndarray, names: np.ndarray, nickname_masks: np.ndarray
) -> np.ndarray:
    """Exact; close (Jaro-Winkler >= 0.92) or nicknames of one name; similar: one typing slip apart, an
    initial or shortening ("j", "chris") or an abbreviation ("wm", "jn") of the other; different.

    A slip is one letter mistyped, dropped, added, or two swapped. Names further apart are different
    even when they look alike (Keith and Edith, Daniel and Dana, John and Joshua): household members.
    """
    pairs = _DistinctPairs(left, right, names)
    similarity = _jaro_winkler(pairs)
    nickname = (nickname_masks[left] & nickname_masks[right]).any(axis=1)
    prefix = _one_ends_other(pairs, distance.Prefix, min_length=1)
    slip = _edits(pairs) <= 1
    return _graded(
        left,
        right,
        [left == right, (similarity >= 0.92) | nickname, slip | prefix | _abbreviation(left, right, names)],
    )


def _abbreviation(left: np.ndarray, right: np.ndarray, names: np.ndarray, max_length: int = 4) -> np.ndarray:
    """True where the shorter name (2 to max_length letters, no vowel after the first) is the longer one's
    first letter followed by some of its other consonants in order ("wm" for William, "jn" for Jennifer).

    Short names with vowels are names of their own (Mia is no abbreviation of Michael).
    """
    lengths = np.append(np.fromiter((len(v) for v in names), dtype=np.int64, count=len(names)), 0)
    first_letters = np.append(np.array([v[:1] for v in names], dtype=object), "")
    consonants = np.append(
        pd.Series(names, dtype=object).str[1:].str.fullmatch(r"[^aeiouy ]*").to_numpy(dtype=bool), False
    )
    shorter = np.minimum(lengths[left], lengths[right])
    short_one = np.where(lengths[left] <= lengths[right], left, right)
    candidate = (
        (left >= 0)
        & (right >= 0)
        & (shorter >= 2)
        & (shorter <= max_length)
        & (lengths[left] != lengths[right])
        & (first_letters[left] == first_letters[right])
        & consonants[short_one]
    )
    result = np.zeros(len(left), bool)
    if candidate.any():
        common = _DistinctPairs(left[candidate], right[candidate], names).score(distance.LCSseq.similarity)
        result[candidate] = common == shorter[candidate]
    return result


def _name_levels(
    first_l, last_l, first_r, last_r, names: np.ndarray, nickname_masks: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """First and last name levels, read crosswise when one side has them swapped.

    Crosswise, either record may be the swapped one, so both readings are scored and the better kept;
    a swap is taken when it agrees better than the direct reading, on one name at least closely and on
    the other at least by a slip.
    """
    first_l, last_l, first_r, last_r = _codes(first_l, last_l, first_r, last_r)
    direct_first, direct_last = (
        _first_name_levels(first_l, first_r, names, nickname_masks),
        _surname_levels(last_l, last_r, names),
    )
    # right swapped: its last name is the first name; left swapped: its last name is.
    right_first, right_last = (
        _first_name_levels(first_l, last_r, names, nickname_masks),
        _surname_levels(last_l, first_r, names),
    )
    left_first, left_last = (
        _first_name_levels(last_l, first_r, names, nickname_masks),
        _surname_levels(first_l, last_r, names),
    )
    left_better = left_first.astype(int) + left_last > right_first.astype(int) + right_last
    cross_first, cross_last = (
        np.where(left_better, left_first, right_first),
        np.where(left_better, left_last, right_last),
    )
    cross = cross_first.astype(int) + cross_last
    swapped = (
        (np.minimum(cross_first, cross_last) >= 2)
        & (cross >= 6)
        & (cross > direct_first.astype(int) + direct_last)
    )
    return np.where(swapped, cross_first, direct_first), np.where(swapped, cross_last, direct_last)


def _birth_date_levels(
    left: pd.Series, right: pd.Series, dates: np.ndarray, swapped: np.ndarray
) -> np.ndarray:
    """Dates as YYYYMMDD: exact, one digit off or day and month swapped, two digits off, different."""
    left, right = _codes(left, right)
    edits = _edits(_DistinctPairs(left, right, dates))
    day_month_swapped = (swapped[left] == right) & (right >= 0)
    return _graded(left, right, [left == right, (edits == 1) | day_month_swapped, edits == 2])


def _street_levels(
    street_l, name_l, number_l, street_r, name_r, number_r, vocabulary: dict[str, np.ndarray]
) -> np.ndarray:
    """Exact; same street and house (or a close spelling); a similar street name; different.

    A house number without a street name on one side says too little: missing.
    """
    street_l, name_l, number_l, street_r, name_r, number_r = _codes(
        street_l, name_l, number_l, street_r, name_r, number_r
    )
    name_similarity = _jaro_winkler(_DistinctPairs(name_l, name_r, vocabulary["street_name"]))
    full_similarity = _jaro_winkler(_DistinctPairs(street_l, street_r, vocabulary["street"]))
    same_number = (number_l == number_r) | (number_l < 0) | (number_r < 0)
    exact = street_l == street_r
    same_street = (full_similarity >= 0.92) | ((name_similarity >= 0.92) & same_number)
    similar = (name_similarity >= 0.85) | (full_similarity >= 0.85)
    level = _graded(street_l, street_r, [exact, same_street, similar])
    return np.where(((name_l < 0) | (name_r < 0)) & ~exact, 0, level).astype(np.int8)


def _postcode_levels(left: pd.Series, right: pd.Series, values: np.ndarray) -> np.ndarray:
    left, right = _codes(left, right)
    return _graded(left, right, [left == right, _edits(_DistinctPairs(left, right, values)) == 1])


def _phone_levels(left: pd.Series, right: pd.Series, values: np.ndarray) -> np.ndarray:
    """Exact; one digit off or the same number with and without its country code; different."""
    left, right = _codes(left, right)
    pairs = _DistinctPairs(left, right, values)
    national = _one_ends_other(pairs, distance.Postfix, min_length=7)
    return _graded(left, right, [left == right, (_edits(pairs) == 1) | national])
