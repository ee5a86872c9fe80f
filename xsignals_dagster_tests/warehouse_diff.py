"""Compare two warehouses table by table, row for row: the recovery tests and the fault
benchmark check that a run re-run after a crash leaves what a clean run leaves."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from xsignals_dagster.warehouse import WarehouseStore

# Columns that record when, or by which run, something was written: they differ between
# any two runs. (Values derived from the erasure salt are equal when both runs are given
# the same XSIGNALS_ERASURE_SALT, as the tests and the benchmark do.)
# `model` is intent_models' pickled model, which embeds its version (the training time); the
# metrics beside it tell whether two models are the same.
WHEN_COLUMNS = frozenset(
    {
        "ingested_at",
        "quarantined_at",
        "processed_at",
        "erased_at",
        "changed_at",
        "trained_at",
        "run_id",
        "model",
    }
)
# Tables that are a record of when something ran: `erasure_verification` lists the partitions
# the last clean erasure check saw, so it depends on when in the run that check ran (before or
# after the killed run's derived tables existed), not on the data; compared by existence only.
WHEN_TABLES = frozenset({"erasure_verification"})
# Values with a time in them: a model version is "<kind>-<trained at>-<fingerprint>". The parts
# that are not the time are compared.
TRAINED_AT = r"\d{8}T\d{6}Z"
WHEN_PARTS = {
    ("intent_models", "version"): lambda values: values.str.replace(TRAINED_AT, "", regex=True),
    ("intent_scores", "model_version"): lambda values: values.str.replace(TRAINED_AT, "", regex=True),
}


def _canonical(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows as text, sorted, without the when/which-run columns: row order is not data."""
    frame = frame.drop(columns=[c for c in frame.columns if c in WHEN_COLUMNS])
    for column in frame.columns:
        if (table, column) in WHEN_PARTS:
            frame[column] = WHEN_PARTS[table, column](frame[column].astype("string"))
    text = frame.astype(object).where(frame.notna(), None).map(lambda v: "\0" if v is None else repr(v))
    return text.sort_values(list(text.columns), ignore_index=True) if len(text.columns) else text


def first_difference(url: str, reference_url: str) -> str | None:
    """None if every table of the two warehouses holds the same rows, else the first difference."""
    stores = WarehouseStore(url), WarehouseStore(reference_url)
    try:
        tables = [set(sa.inspect(store.engine).get_table_names()) for store in stores]
        if tables[0] != tables[1]:
            return (
                f"tables differ: only here {sorted(tables[0] - tables[1])}, only in the reference "
                f"{sorted(tables[1] - tables[0])}"
            )
        for name in sorted(tables[0] - WHEN_TABLES):
            difference = table_difference(name, *(store.read_table(name) for store in stores))
            if difference:
                return difference
        return None
    finally:
        for store in stores:
            store.dispose()


def table_difference(name: str, frame: pd.DataFrame, reference: pd.DataFrame) -> str | None:
    """None if the two versions of table `name` hold the same rows, else the first difference."""
    here, there = _canonical(name, frame), _canonical(name, reference)
    if list(here.columns) != list(there.columns):
        return f"{name}: columns {list(here.columns)} vs {list(there.columns)}"
    if len(here) != len(there):
        return f"{name}: {len(here)} rows vs {len(there)}"
    unequal = (here != there).to_numpy()
    if unequal.any():
        row, column = (int(i[0]) for i in unequal.nonzero())
        return (
            f"{name}: sorted row {row}, {here.columns[column]}: {here.iat[row, column][:80]} vs "
            f"{there.iat[row, column][:80]}"
        )
    return None
