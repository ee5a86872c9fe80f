"""Small vectorised helpers the builders share: weighted picks, ranks and sums within groups, masks,
and the formatting of numbers, ids, booleans and times of day.

They work on whole arrays at once, which keeps generating 10,000 people over 60 days to seconds.
"""

from __future__ import annotations

import numpy as np

from xsignals_dagster.demo.reference import HOUR_PROFILES, TRUE_FALSE_SPELLINGS, TRUE_FALSE_WEIGHTS


def pick(rng: np.random.Generator, weights, size: int) -> np.ndarray:
    """Indexes into `weights`, drawn in proportion to them."""
    cumulative = np.cumsum(np.asarray(weights, dtype=float))
    return np.minimum(
        np.searchsorted(cumulative / cumulative[-1], rng.random(size), side="right"), len(cumulative) - 1
    )


def pick_per_row(rng: np.random.Generator, cumulative: np.ndarray) -> np.ndarray:
    """One column per row, drawn from row-wise cumulative probabilities."""
    u = rng.random(len(cumulative))
    return np.minimum((cumulative <= u[:, None]).sum(axis=1), cumulative.shape[1] - 1)


def row_cumulative(weights: np.ndarray) -> np.ndarray:
    cumulative = np.cumsum(weights, axis=1)
    return cumulative / cumulative[:, -1:]


def rank_within(groups: np.ndarray) -> np.ndarray:
    """Position of each element within its run of equal adjacent values."""
    index = np.arange(len(groups))
    starts = np.ones(len(groups), dtype=bool)
    starts[1:] = groups[1:] != groups[:-1]
    return index - np.maximum.accumulate(np.where(starts, index, 0))


def cumsum_within(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Running sum that restarts at every run of equal adjacent `groups`."""
    total = np.cumsum(values)
    first = np.arange(len(values)) - rank_within(groups)
    return total - total[first] + values[first]


def take(values, index: np.ndarray) -> np.ndarray:
    """values[index] as objects, None where index is negative."""
    out = np.full(len(index), None, dtype=object)
    found = index >= 0
    out[found] = np.asarray(values, dtype=object)[index[found]]
    return out


def keep(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """values as objects, None where mask is false."""
    out = np.asarray(values, dtype=object).copy()
    out[~mask] = None
    return out


def zero_padded(text: np.ndarray, width: int) -> np.ndarray:
    """`np.strings.zfill`, which fails on an empty array (a small zone may have no store sale)."""
    return np.strings.zfill(text, width) if text.size else text


def replaced(text: np.ndarray, old: str, new: str) -> np.ndarray:
    """`np.strings.replace`, which fails on an empty array too."""
    return np.strings.replace(text, old, new) if text.size else text


def numbered(prefix: str, numbers, width: int) -> np.ndarray:
    return np.strings.add(prefix, zero_padded(np.asarray(numbers).astype(str), width))


HEX_DIGITS = np.array(list("0123456789abcdef"))


def hex_strings(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    return HEX_DIGITS[rng.integers(0, 16, size=(n, width))].view(f"<U{width}").ravel()


def device_ids(rng: np.random.Generator, ios: np.ndarray) -> np.ndarray:
    """UUID-shaped ids: upper case on iOS (identifierForVendor), lower case on Android."""
    groups = [hex_strings(rng, len(ios), width) for width in (8, 4, 4, 4, 12)]
    text = groups[0]
    for group in groups[1:]:
        text = np.strings.add(np.strings.add(text, "-"), group)
    return np.where(ios, np.strings.upper(text), text)


def spell_booleans(rng: np.random.Generator, values: np.ndarray, known: np.ndarray) -> np.ndarray:
    """true/false in the spellings different systems use; None where unknown."""
    spelling = pick(rng, TRUE_FALSE_WEIGHTS, len(values))
    table = np.array(TRUE_FALSE_SPELLINGS, dtype=object)
    return keep(table[spelling, np.where(values, 0, 1)], known)


def seconds_of_day(rng: np.random.Generator, profile: str, n: int) -> np.ndarray:
    hours = pick(rng, HOUR_PROFILES[profile], n)
    return hours * 3600 + rng.integers(0, 3600, n)


def draw_event_types(
    rng: np.random.Generator, mix: dict[str, tuple[float, float]], in_market: np.ndarray
) -> np.ndarray:
    """Event types drawn from the out-of-market or the in-market column of `mix`."""
    names = np.array(list(mix))
    shares = np.array(list(mix.values()))
    out_of_market, in_market_pick = (
        pick(rng, shares[:, 0], len(in_market)),
        pick(rng, shares[:, 1], len(in_market)),
    )
    return names[np.where(in_market, in_market_pick, out_of_market)]
