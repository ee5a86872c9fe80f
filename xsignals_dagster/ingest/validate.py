"""Apply CONTRACT §1's row rules to the text rows of a batch of files.

Vectorised over all the files of an extract date at once (a per-file pass costs more in
pandas overhead than in work when a store lands many small files): each rule is a mask,
a row's reason is the first rule it breaks, and malformed optional values are blanked
and counted per file and column.
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


_PATH = "__path"
_ROW = "__row"


@dataclass
class ValidatedRows:
    loaded: pd.DataFrame  # the schema's columns, typed, plus extra, source_path, source_row
    rejected: pd.DataFrame  # path, row_number, reason, raw
    blanked: pd.DataFrame  # path, column, count
    later_paths: set[str]  # later files that had loaded keys these files now own


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
    """Values trimmed, empty ones None (one pass per column: cheaper than pandas' str methods)."""
    return pd.DataFrame(
        {c: [(v.strip() or None) if isinstance(v, str) else None for v in frame[c].to_numpy(object)] for c in frame.columns},
        index=frame.index,
        dtype=object,
    )


def key_strings(frame: pd.DataFrame, key: tuple[str, ...]) -> pd.Series:
    """A source key as one string (pos: `transaction_id:line_no`)."""
    parts = [frame[k].astype("string") for k in key]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + ":" + part
    return joined


def _batch(files: list[tuple[str, RawRows]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All files' readable rows in path order, and their unreadable rows."""
    frames = [rows.frame.assign(**{_PATH: path, _ROW: rows.row_numbers}) for path, rows in files]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[_PATH, _ROW])
    frame = frame.astype(object).where(frame.notna(), None)
    problems = pd.DataFrame(
        [(path, p.row_number, p.reason, p.raw) for path, rows in files for p in rows.problems],
        columns=["path", "row_number", "reason", "raw"],
    )
    return frame, problems


def _raw_json(frame: pd.DataFrame) -> pd.Series:
    """Each row's original values as JSON, without the columns this file did not have."""
    return frame.apply(lambda r: json.dumps(r.dropna().to_dict(), ensure_ascii=False), axis=1)


def validate(
    files: list[tuple[str, RawRows]],
    schema: SourceSchema,
    region: str,
    seen_keys: dict[str, str] | None,
    suppression: Suppression | None = None,
) -> ValidatedRows:
    """Split the rows of `files` (path, rows; in path order) into loaded and rejected.

    `seen_keys` (event sources only) maps every key loaded so far to the path that loaded
    it; a key first loaded by an earlier path is a duplicate, and the keys these files
    load are added (a later path that had them is returned in `later_paths`). A row
    carrying an identifier of an erased person (`suppression`) is rejected as `erased`,
    keeping none of its values.
    """
    original, problems = _batch(files)
    paths = original[_PATH].astype("string")
    text = _trimmed(original.drop(columns=[_PATH, _ROW]))
    index = text.index
    reason = pd.Series(None, index=index, dtype=object)

    def reject(mask: pd.Series, why) -> None:
        """Give `why` (a text, or a function of the rows) to the masked rows not yet rejected."""
        fresh = mask.fillna(False).astype(bool) & reason.isna()
        if fresh.any():
            reason[fresh] = why(fresh) if callable(why) else why

    def quoted(values: pd.Series):
        return lambda rows: "'" + values[rows].astype("string") + "'"

    typed: dict[str, pd.Series] = {}
    malformed: dict[str, pd.Series] = {}
    missing = pd.Series(None, index=index, dtype=object)
    required = set(schema.key + schema.required)
    for column in schema.columns:
        values = text[column] if column in text.columns else missing
        parsed = _parse(column, values, region)
        bad = values.notna() & parsed.isna()
        if column in schema.enums:
            allowed = schema.enums[column]
            parsed = parsed.str.lower()
            reject(parsed.notna() & ~parsed.isin(allowed),
                   lambda rows, c=column, v=values, a=allowed: f"{c} " + quoted(v)(rows) + " is not one of: " + ", ".join(a))
        if column in required:
            reject(values.isna(), f"missing required value: {column}")
            reject(bad, lambda rows, c=column, v=values: f"malformed {c}: " + quoted(v)(rows))
            typed[column] = parsed
        else:
            typed[column] = parsed.where(~bad)
            malformed[column] = bad
    for (column, value), needs in schema.required_when.items():
        applies = typed[column] == value
        for need in needs:
            reject(applies & typed[need].isna() & ~malformed[need], f"missing {need}, required on {value} events")
            reject(applies & malformed[need], f"malformed {need}, required on {value} events")
    if schema.required_any:
        has_any = pd.concat([typed[c].notna() for c in schema.required_any], axis=1).any(axis=1)
        reject(~has_any, "needs a valid value in one of: " + ", ".join(schema.required_any))

    erased = suppression.carries(pd.DataFrame(typed)) if suppression else pd.Series(False, index=index)
    reason[erased] = ERASED

    later_paths: set[str] = set()
    if seen_keys is not None:
        keys = key_strings(pd.DataFrame({k: typed[k] for k in schema.key}), schema.key)
        valid = reason.isna()
        first_path = pd.Series(paths[valid].values, index=keys[valid].values)
        first_path = first_path[~first_path.index.duplicated()]
        key_values = keys.to_numpy(dtype=object, na_value=None)
        holder = pd.Series([seen_keys.get(k) for k in key_values], index=index, dtype="string")  # map() copies the dict
        earlier = (holder < paths).fillna(False)
        reject(valid & earlier, lambda rows: "duplicate key: " + keys[rows] + " was already loaded from " + holder[rows])
        reject(keys[valid].duplicated().reindex(index, fill_value=False),
               lambda rows: "duplicate key: " + keys[rows] + " was already loaded from " + keys[rows].map(first_path))
        loads = reason.isna()
        later_paths = set(holder[loads & (holder > paths).fillna(False)])
        seen_keys.update(zip(key_values[loads.to_numpy()], original.loc[loads, _PATH].to_numpy(), strict=True))

    ok = reason.isna()
    blanked = pd.DataFrame({c: m & ok for c, m in malformed.items()}, index=index).groupby(paths).sum()
    blanked = blanked.rename_axis("path").reset_index().melt(id_vars="path", var_name="column", value_name="count")
    blanked = blanked[blanked["count"] > 0].reset_index(drop=True)

    loaded = pd.DataFrame({c: typed[c] for c in schema.columns}, index=index)[ok]
    extras = [c for c in text.columns if c not in schema.columns]
    loaded["extra"] = (
        text.loc[ok, extras].apply(lambda r: json.dumps(r.dropna().to_dict(), ensure_ascii=False) if r.notna().any() else None, axis=1)
        if extras and ok.any() else None
    )
    loaded["source_path"] = original.loc[ok, _PATH]
    loaded["source_row"] = original.loc[ok, _ROW].astype("int64")

    shown = ~ok & ~erased
    rejected = pd.DataFrame(
        {
            "path": original.loc[~ok, _PATH],
            "row_number": original.loc[~ok, _ROW],
            "reason": reason[~ok],
            "raw": _raw_json(original.loc[shown].drop(columns=[_PATH, _ROW])).reindex(index[~ok]) if shown.any() else None,
        }
    )
    if suppression and len(problems):
        hit = suppression.raw_holds(problems["raw"], region)
        problems = problems.assign(reason=problems["reason"].where(~hit, ERASED), raw=problems["raw"].where(~hit, None))
    rejected = pd.concat([df for df in (rejected, problems) if not df.empty] or [problems], ignore_index=True)
    rejected["row_number"] = rejected["row_number"].astype("int64")
    rejected = rejected.sort_values(["path", "row_number"], ignore_index=True)
    return ValidatedRows(loaded.reset_index(drop=True), rejected, blanked, later_paths)
