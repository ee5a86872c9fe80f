"""Every record and the identifier values it carries, with junk values removed.

Records and identifier values become integer ids so that the graph stages work
on numpy arrays: record ``r`` is graph node ``r``, identifier ``i`` is graph
node ``n_records + i``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xsignals_dagster.contract.vocabularies import IDENTIFIER_TYPES

from .settings import IdentitySettings

log = logging.getLogger("xsignals.identity")


@dataclass(frozen=True)
class IdentifierTable:
    """records: source, record_key (row i is record i).
    identifiers: id_type (categorical over IDENTIFIER_TYPES), id_value (row i is identifier i).
    occurrences: record, identifier (int64) - one row per value carried by a record.
    junk: id_type, id_value, records - the values dropped as placeholders.
    """

    records: pd.DataFrame
    identifiers: pd.DataFrame
    occurrences: pd.DataFrame
    junk: pd.DataFrame

    @property
    def n_records(self) -> int:
        return len(self.records)

    def record_numbers(self, source: str) -> np.ndarray:
        """Record numbers of one source's rows, in the frame's row order."""
        return np.flatnonzero(self.records["source"].to_numpy() == source)


def collect_identifiers(frames: Mapping[str, pd.DataFrame], settings: IdentitySettings) -> IdentifierTable:
    """Number every record and identifier value; drop junk values (logged and returned)."""
    sources = sorted(frames)
    records = pd.DataFrame(
        {
            "source": pd.Categorical(
                np.repeat(sources, [len(frames[s]) for s in sources]), categories=sources
            ),
            "record_key": np.concatenate(
                [frames[s]["record_key"].astype(str).to_numpy() for s in sources] or [[]]
            ),
        }
    )
    starts = np.concatenate([[0], np.cumsum([len(frames[s]) for s in sources])])
    offsets = dict(zip(sources, starts, strict=False))

    record_parts, type_parts, value_parts = [], [], []
    for source in sources:
        frame = frames[source]
        for id_type in IDENTIFIER_TYPES:
            if id_type not in frame.columns:
                continue
            values = frame[id_type]
            present = values.notna().to_numpy()
            record_parts.append(offsets[source] + np.flatnonzero(present))
            type_parts.append(np.full(int(present.sum()), IDENTIFIER_TYPES.index(id_type), dtype=np.int8))
            value_parts.append(values[present].astype(str).to_numpy(dtype=object))
    record = np.concatenate(record_parts or [np.empty(0, np.int64)]).astype(np.int64)
    type_code = np.concatenate(type_parts or [np.empty(0, np.int8)])
    value = np.concatenate(value_parts or [np.empty(0, object)])

    # One identifier per distinct (type, value): factorise the values of each type.
    identifier = np.empty(len(record), dtype=np.int64)
    unique_types, unique_values, next_id = [], [], 0
    for code in range(len(IDENTIFIER_TYPES)):
        of_type = np.flatnonzero(type_code == code)
        codes, uniques = pd.factorize(value[of_type])
        identifier[of_type] = codes + next_id
        unique_types.append(np.full(len(uniques), code, dtype=np.int8))
        unique_values.append(np.asarray(uniques, dtype=object))
        next_id += len(uniques)
    all_types = pd.Categorical.from_codes(np.concatenate(unique_types), categories=list(IDENTIFIER_TYPES))
    all_values = np.concatenate(unique_values)

    junk_mask = junk_identifiers(pd.Series(all_types), pd.Series(all_values, dtype=object), settings)
    kept_ids = np.flatnonzero(~junk_mask)
    renumber = np.full(len(all_values), -1, dtype=np.int64)
    renumber[kept_ids] = np.arange(len(kept_ids))
    occurrence_ids = renumber[identifier]
    kept = occurrence_ids >= 0

    junk = pd.DataFrame({"id_type": all_types[junk_mask], "id_value": all_values[junk_mask]})
    junk["records"] = np.bincount(identifier[~kept], minlength=len(all_values))[junk_mask]
    if len(junk):
        per_type = junk.groupby("id_type", observed=True).size()
        log.info(  # counts and types only: identifier values are personal data and stay out of logs
            "dropped %d junk identifier values (%d occurrences): %s",
            len(junk),
            int(junk["records"].sum()),
            ", ".join(f"{count} {id_type}" for id_type, count in per_type.items()),
        )
    return IdentifierTable(
        records=records,
        identifiers=pd.DataFrame({"id_type": all_types[kept_ids], "id_value": all_values[kept_ids]}),
        occurrences=pd.DataFrame({"record": record[kept], "identifier": occurrence_ids[kept]}),
        junk=junk,
    )


def junk_identifiers(id_types: pd.Series, id_values: pd.Series, settings: IdentitySettings) -> np.ndarray:
    """True for placeholder values ("null", "test@...", 0000000000) that identify nobody."""
    lowered = id_values.astype(str).str.strip().str.lower()
    junk = lowered.isin(settings.junk_values).to_numpy()
    for id_type, patterns in settings.junk_patterns.items():
        applies = np.ones(len(lowered), bool) if id_type == "*" else (id_types == id_type).to_numpy()
        if not applies.any():
            continue
        for pattern in patterns:
            junk[applies] |= lowered[applies].str.fullmatch(pattern, case=False).to_numpy(dtype=bool)
    return junk
