"""Apply CONTRACT §1's row rules to the text rows of a batch of files.

Vectorised over all the files of a batch at once (a per-file pass costs more in pandas
overhead than in work when a store lands many small files): values are trimmed in Arrow,
each rule is a mask, a row's reason is the first rule it breaks, and malformed optional
values are blanked and counted per file and column.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from xsignals_dagster.contract.normal_forms import normal_identifier
from xsignals_dagster.contract.sources import VALUE_RANGES, SourceSchema, column_kind
from xsignals_dagster.contract.vocabularies import IDENTIFIER_TYPES
from xsignals_dagster.ingest.raw_rows import RawRows
from xsignals_dagster.ingest.suppression import Suppression

ERASED = "erased"
_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
_WHITESPACE = "".join(filter(str.isspace, map(chr, range(sys.maxunicode + 1))))  # what str.strip() strips


@dataclass
class ValidatedRows:
    loaded: pd.DataFrame  # the schema's columns, typed, plus extra, source_path, source_row
    rejected: pd.DataFrame  # path, row_number, reason, raw
    blanked: pd.DataFrame  # path, column, count
    later_paths: set[str]  # later files that had loaded keys these files now own


_WITH_OFFSET = re.compile(
    r"[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE
)
# The same pattern for Arrow's RE2 on ASCII text: what Python's \d, \s and $ match there.
_WITH_OFFSET_ASCII = (
    r"[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?"
    r"[\t\n\x0b\x0c\r\x1c-\x1f ]*(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)\n?$"
)


def _with_offset(values: pd.Series) -> np.ndarray:
    """Which values end in a UTC offset: matched in Arrow (many times faster than `re`
    value by value) where the text is ASCII, with `re` for the rest."""
    text = pa.array(values.to_numpy(), type=pa.string(), from_pandas=True)
    found = pc.match_substring_regex(text, _WITH_OFFSET_ASCII, ignore_case=True).fill_null(False)
    found = found.to_numpy(zero_copy_only=False)
    other = ~pc.string_is_ascii(text).fill_null(True).to_numpy(zero_copy_only=False)
    if other.any():
        found[other] = [_WITH_OFFSET.search(v) is not None for v in values.to_numpy()[other]]
    return found


def _parse_timestamps(values: pd.Series) -> pd.Series:
    """ISO 8601 to naive UTC. Values with and without an offset are parsed apart: pandas
    would otherwise apply an earlier value's offset to later values that have none."""
    with_offset = _with_offset(values)
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


def _trimmed(raw: pa.Table) -> dict[str, tuple[pd.Series, np.ndarray]]:
    """Each column's values trimmed as `str.strip()` trims, empty ones None, with the mask of
    values present: computed in Arrow, one pass per column."""
    text = {}
    for name, column in zip(raw.column_names, raw.columns, strict=True):
        trimmed = pc.utf8_trim(column, _WHITESPACE)
        trimmed = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
        text[name] = (
            pd.Series(trimmed.to_numpy(zero_copy_only=False), dtype=object),
            pc.is_valid(trimmed).to_numpy(),
        )
    return text


def key_strings(frame: pd.DataFrame, key: tuple[str, ...]) -> pd.Series:
    """A source key as one string (pos: `transaction_id:line_no`)."""
    parts = [frame[k].astype("string") for k in key]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + ":" + part
    return joined


def _batch(files: list[tuple[str, RawRows]]) -> tuple[pa.Table, np.ndarray, np.ndarray, pd.DataFrame]:
    """All files' readable rows in path order (columns in order of first appearance, null
    where a file lacks one), each row's path and row number, and the unreadable rows."""
    raw = (
        pa.concat_tables([rows.table for _, rows in files], promote_options="default")
        if files
        else pa.table({})
    )
    paths = np.repeat(
        np.array([path for path, _ in files], dtype=object), [rows.table.num_rows for _, rows in files]
    )
    numbers = (
        np.concatenate([rows.row_numbers for _, rows in files]) if files else np.array([], dtype=np.int64)
    )
    problems = pd.DataFrame(
        [(path, p.row_number, p.reason, p.raw) for path, rows in files for p in rows.problems],
        columns=["path", "row_number", "reason", "raw"],
    )
    return raw, paths, numbers.astype(np.int64), problems


def _raw_json(raw: pa.Table, rows: np.ndarray) -> list[str]:
    """The original values of some rows as JSON, without the columns their file did not have."""
    return [
        json.dumps({k: v for k, v in record.items() if v is not None}, ensure_ascii=False)
        for record in raw.take(pa.array(rows, pa.int64())).to_pylist()
    ]


def _extra_json(columns: dict[str, np.ndarray]) -> list[str | None]:
    """The columns no source schema knows, per row as JSON of the values present (None if none)."""
    names = list(columns)
    return [
        json.dumps({c: v for c, v in zip(names, values, strict=True) if v is not None}, ensure_ascii=False)
        if any(v is not None for v in values)
        else None
        for values in zip(*columns.values(), strict=True)
    ]


def validate(
    files: list[tuple[str, RawRows]],
    schema: SourceSchema,
    region: str,
    seen_keys: dict[str, str] | None,
    suppression: Suppression | None = None,
) -> ValidatedRows:
    """Split the rows of `files` (path, rows; in path order) into loaded and rejected.

    `seen_keys` (event sources only) maps every key loaded so far to the path that loaded it; a
    key first loaded by an earlier path (or an earlier chunk of the same file) is a duplicate,
    and the keys these files load are added (a later path that had them is returned in
    `later_paths`). A row carrying an identifier of an erased person (`suppression`) is rejected
    as `erased`, keeping none of its values.
    """
    raw, paths, numbers, problems = _batch(files)
    text = _trimmed(raw)
    index = pd.RangeIndex(raw.num_rows)
    reason = pd.Series(None, index=index, dtype=object)
    open_rows = np.ones(len(index), dtype=bool)  # not rejected yet

    def reject(mask: np.ndarray, why) -> None:
        """Give `why` (a text, or a function of the rows) to the masked rows not yet rejected."""
        fresh = mask & open_rows
        if fresh.any():
            reason[fresh] = why(fresh) if callable(why) else why
            open_rows[fresh] = False

    def quoted(values: pd.Series):
        return lambda rows: "'" + values[rows].astype("string") + "'"

    typed: dict[str, pd.Series] = {}
    malformed: dict[str, np.ndarray] = {}
    missing = (pd.Series(None, index=index, dtype=object), np.zeros(len(index), dtype=bool))
    required = set(schema.key + schema.required)
    for column in schema.columns:
        values, present = text.get(column, missing)
        parsed = _parse(column, values, region)
        bad = present & parsed.isna().to_numpy() if parsed is not values else np.zeros(len(index), dtype=bool)
        if column in schema.enums:
            allowed = schema.enums[column]
            parsed = parsed.str.lower()
            reject(
                present & ~parsed.isin(allowed).to_numpy(),
                lambda rows, c=column, v=values, a=allowed: (
                    f"{c} " + quoted(v)(rows) + " is not one of: " + ", ".join(a)
                ),
            )
        if column in required:
            reject(~present, f"missing required value: {column}")
            reject(bad, lambda rows, c=column, v=values: f"malformed {c}: " + quoted(v)(rows))
            typed[column] = parsed
        else:
            typed[column] = parsed.where(~bad) if bad.any() else parsed
            malformed[column] = bad
    for (column, value), needs in schema.required_when.items():
        applies = (typed[column] == value).to_numpy()
        for need in needs:
            reject(
                applies & typed[need].isna().to_numpy() & ~malformed[need],
                f"missing {need}, required on {value} events",
            )
            reject(applies & malformed[need], f"malformed {need}, required on {value} events")
    if schema.required_any:
        has_any = np.logical_or.reduce([typed[c].notna().to_numpy() for c in schema.required_any])
        reject(~has_any, "needs a valid value in one of: " + ", ".join(schema.required_any))

    erased = np.zeros(len(index), dtype=bool)
    extras = [c for c in text if c not in schema.columns]
    if suppression:
        erased = suppression.carries(
            pd.DataFrame({c: typed[c] for c in IDENTIFIER_TYPES if c in typed}, index=index)
        ).to_numpy()
        if extras:  # a file's own columns may carry an identifier too (a second email, a phone)
            in_extras = suppression.values_hold(pd.concat([text[c][0] for c in extras]), region)
            erased |= in_extras.reindex(index, fill_value=False).to_numpy()
    reason[erased] = ERASED
    open_rows &= ~erased

    later_paths: set[str] = set()
    if seen_keys is not None:
        keys = key_strings(pd.DataFrame({k: typed[k] for k in schema.key}, index=index), schema.key)
        key_values = keys.to_numpy(dtype=object, na_value=None)
        valid = open_rows.copy()
        holder = pd.Series(
            [seen_keys.get(k) for k in key_values], index=index, dtype=object
        )  # map() copies the dict
        held = holder.notna().to_numpy()
        earlier, later = np.zeros(len(index), dtype=bool), np.zeros(len(index), dtype=bool)
        earlier[held] = holder[held].to_numpy() <= paths[held]  # the same path: an earlier chunk of the file
        later[held] = holder[held].to_numpy() > paths[held]

        def first_path(rows: np.ndarray) -> pd.Series:
            """The path that first loaded each of these rows' keys in this batch."""
            first = pd.Series(paths[valid], index=key_values[valid])
            return keys[rows].map(first[~first.index.duplicated()])

        reject(
            valid & earlier,
            lambda rows: "duplicate key: " + keys[rows] + " was already loaded from " + holder[rows],
        )
        repeated = np.zeros(len(index), dtype=bool)
        repeated[valid] = pd.Series(key_values[valid]).duplicated().to_numpy()
        reject(
            repeated,
            lambda rows: "duplicate key: " + keys[rows] + " was already loaded from " + first_path(rows),
        )
        later_paths = set(holder[open_rows & later])
        seen_keys.update(zip(key_values[open_rows], paths[open_rows], strict=True))

    ok = open_rows
    blanked = pd.DataFrame(columns=["path", "column", "count"])
    if any((m & ok).any() for m in malformed.values()):
        counts = pd.DataFrame({c: m & ok for c, m in malformed.items()}, index=index).groupby(paths).sum()
        blanked = (
            counts.rename_axis("path")
            .reset_index()
            .melt(id_vars="path", var_name="column", value_name="count")
        )
        blanked = blanked[blanked["count"] > 0].reset_index(drop=True)

    loaded = pd.DataFrame(
        {c: typed[c].array[ok] for c in schema.columns}, copy=False
    )  # fresh arrays: no copy
    loaded["extra"] = (
        _extra_json({c: text[c][0].to_numpy()[ok] for c in extras}) if extras and ok.any() else None
    )
    loaded["source_path"] = paths[ok]
    loaded["source_row"] = numbers[ok]

    shown = ~ok & ~erased
    raw_text = pd.Series(None, index=index, dtype=object)
    if shown.any():
        raw_text[shown] = _raw_json(raw, np.flatnonzero(shown))
    rejected = pd.DataFrame(
        {
            "path": paths[~ok],
            "row_number": numbers[~ok],
            "reason": reason[~ok].to_numpy(),
            "raw": raw_text[~ok].to_numpy(),
        }
    )
    if suppression and len(problems):
        hit = suppression.raw_holds(problems["raw"], region)
        problems = problems.assign(
            reason=problems["reason"].where(~hit, ERASED), raw=problems["raw"].where(~hit, None)
        )
    rejected = pd.concat([df for df in (rejected, problems) if not df.empty] or [problems], ignore_index=True)
    rejected["row_number"] = rejected["row_number"].astype("int64")
    rejected = rejected.sort_values(["path", "row_number"], ignore_index=True)
    return ValidatedRows(loaded, rejected, blanked, later_paths)
