"""Apply CONTRACT §1's row rules to the text rows of one file.

Vectorised over the whole file: each rule is a mask, a row's reason is the first rule it
breaks, and malformed optional values are blanked and counted per column.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xsignals_dagster.ingest.normal_forms import normal_identifier
from xsignals_dagster.ingest.readers import RawRows
from xsignals_dagster.ingest.schema import IDENTIFIER_TYPES, VALUE_RANGES, SourceSchema, column_kind
from xsignals_dagster.privacy.suppression import Suppression

ERASED = "erased"
_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


@dataclass
class ValidatedRows:
    loaded: pd.DataFrame  # the schema's columns, typed, plus `extra` and `source_row`
    rejected: pd.DataFrame  # row_number, reason, raw
    blanked: dict[str, int]
    later_paths: set[str]  # later files that had loaded keys this file now owns


_WITH_OFFSET = r"[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"


def _parse_timestamps(values: pd.Series) -> pd.Series:
    """ISO 8601 to naive UTC. Values with and without an offset are parsed apart: pandas
    would otherwise apply an earlier value's offset to later values that have none."""
    with_offset = values.str.contains(_WITH_OFFSET, case=False, regex=True).eq(True)
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    for part in (with_offset, ~with_offset):
        if part.any():
            parsed[part] = pd.to_datetime(values[part], utc=True, format="ISO8601", errors="coerce")
    return parsed.dt.tz_convert(None)


def _parse(column: str, values: pd.Series, region: str) -> pd.Series:
    """Typed values; NA where a present value is malformed."""
    kind = column_kind(column)
    if kind == "timestamp":
        return _parse_timestamps(values)
    if kind == "date":
        return pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    if kind in ("decimal", "integer"):
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        numbers = numbers.where(np.isfinite(numbers))
        if kind == "integer":
            numbers = numbers.where(numbers == np.floor(numbers))
        if column in VALUE_RANGES:
            low, high = VALUE_RANGES[column]
            numbers = numbers.where(numbers.between(low, high))
        return numbers.astype("Int64") if kind == "integer" else numbers
    if kind == "boolean":
        return values.str.lower().map(_BOOLEANS).astype("boolean")
    if column in IDENTIFIER_TYPES:
        return normal_identifier(column, values, region)
    return values


def _trimmed(frame: pd.DataFrame) -> pd.DataFrame:
    trimmed = frame.apply(lambda s: s.str.strip() if len(s) else s)
    return trimmed.where(trimmed.notna() & (trimmed != ""), None)


def _erase_problem_rows(problems: pd.DataFrame, region: str, suppression: Suppression) -> pd.DataFrame:
    """Unparseable rows whose raw text holds an erased identifier, in any column: keep no values."""
    values = problems["raw"].map(lambda raw: [v for v in _raw_values(json.loads(raw)) if v])
    exploded = values.explode().dropna().astype(str).str.strip()
    candidates = pd.DataFrame({t: normal_identifier(t, exploded, region) for t in IDENTIFIER_TYPES}, index=exploded.index)
    hit = suppression.carries(candidates).groupby(level=0).any().reindex(problems.index, fill_value=False)
    return problems.assign(reason=problems["reason"].where(~hit, ERASED), raw=problems["raw"].where(~hit, None))


def _raw_values(raw: dict) -> list:
    fields = raw.get("fields") if set(raw) == {"fields"} else raw.get("line") if set(raw) == {"line"} else None
    if isinstance(fields, str):
        return fields.replace(",", " ").replace('"', " ").split()
    return list(fields) if fields is not None else list(raw.values())


def key_strings(frame: pd.DataFrame, key: tuple[str, ...]) -> pd.Series:
    """A source key as one string (pos: `transaction_id:line_no`)."""
    parts = [frame[k].astype("string") for k in key]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + ":" + part
    return joined


def validate(
    rows: RawRows,
    schema: SourceSchema,
    region: str,
    path: str,
    seen_keys: dict[str, str] | None,
    suppression: Suppression | None = None,
) -> ValidatedRows:
    """Split a file's rows into loaded and rejected.

    `seen_keys` (event sources only) maps every key loaded so far to the path that loaded
    it; a key first loaded by an earlier path is a duplicate here, and the keys this file
    loads are added (a later path that had them is returned in `later_paths`).
    """
    text = _trimmed(rows.frame).reset_index(drop=True)
    index = text.index
    reason = pd.Series(None, index=index, dtype=object)

    def reject(mask: pd.Series, why: pd.Series | str) -> None:
        fresh = mask.fillna(False).astype(bool) & reason.isna()
        reason[fresh] = why[fresh] if isinstance(why, pd.Series) else why

    typed: dict[str, pd.Series] = {}
    blanked: dict[str, int] = {}
    missing = pd.Series(None, index=index, dtype=object)
    required = set(schema.key + schema.required)
    for column in schema.columns:
        values = text[column] if column in text.columns else missing
        parsed = _parse(column, values, region)
        malformed = values.notna() & parsed.isna()
        if column in schema.enums:
            outside = parsed.notna() & ~parsed.str.lower().isin(schema.enums[column])
            reject(outside, column + " '" + values.astype("string") + "' is not one of: " + ", ".join(schema.enums[column]))
            parsed = parsed.str.lower()
        if column in required:
            reject(values.isna(), f"missing required value: {column}")
            reject(malformed, "malformed " + column + ": '" + values.astype("string") + "'")
        typed[column] = parsed
        if column not in required:
            typed[column] = parsed.where(~malformed)
            typed[f"__malformed_{column}"] = malformed
    for (column, value), needs in schema.required_when.items():
        applies = typed[column] == value
        for need in needs:
            reject(applies & typed[need].isna() & ~typed[f"__malformed_{need}"], f"missing {need}, required on {value} events")
            reject(applies & typed[f"__malformed_{need}"], f"malformed {need}, required on {value} events")
    if schema.required_any:
        has_any = pd.concat([typed[c].notna() for c in schema.required_any], axis=1).any(axis=1)
        reject(~has_any, "needs a valid value in one of: " + ", ".join(schema.required_any))

    erased = suppression.carries(pd.DataFrame(typed)) if suppression else pd.Series(False, index=index)
    reason[erased] = ERASED

    later_paths: set[str] = set()
    if seen_keys is not None:
        keys = key_strings(pd.DataFrame({k: typed[k] for k in schema.key}), schema.key)
        valid = reason.isna()
        repeated_in_file = keys[valid].duplicated().reindex(index, fill_value=False)
        holder = keys.map(seen_keys).astype("string")
        reject(valid & (holder < path).fillna(False), "duplicate key: " + keys + " was already loaded from " + holder)
        reject(repeated_in_file, "duplicate key: " + keys + " was already loaded from this file")
        loads = reason.isna()
        later_paths = set(holder[loads & (holder > path).fillna(False)])
        seen_keys.update(dict.fromkeys(keys[loads].tolist(), path))

    ok = reason.isna()
    for column in schema.columns:
        flag = typed.pop(f"__malformed_{column}", None)
        if flag is not None:
            count = int((flag & ok).sum())
            if count:
                blanked[column] = count
    loaded = pd.DataFrame({c: typed[c] for c in schema.columns}, index=index)[ok]
    extras = [c for c in text.columns if c not in schema.columns]
    loaded["extra"] = (
        text.loc[ok, extras].apply(lambda r: json.dumps(r.dropna().to_dict(), ensure_ascii=False) if r.notna().any() else None, axis=1)
        if extras and ok.any() else None
    )
    row_numbers = pd.Series(rows.row_numbers, index=index, dtype="int64")
    loaded["source_row"] = row_numbers[ok]
    rejected = pd.DataFrame(
        {
            "row_number": row_numbers[~ok],
            "reason": reason[~ok],
            "raw": rows.frame.reset_index(drop=True).loc[~ok & ~erased].apply(
                lambda r: json.dumps(r.to_dict(), ensure_ascii=False), axis=1
            ).reindex(index[~ok]) if (~ok).any() else pd.Series(dtype=object),
        }
    )
    problems = pd.DataFrame(
        [(p.row_number, p.reason, p.raw) for p in rows.problems], columns=["row_number", "reason", "raw"]
    )
    if suppression and len(problems):
        problems = _erase_problem_rows(problems, region, suppression)
    rejected = pd.concat([df for df in (rejected, problems) if not df.empty] or [problems], ignore_index=True)
    return ValidatedRows(loaded.reset_index(drop=True), rejected.sort_values("row_number", ignore_index=True), blanked, later_paths)
