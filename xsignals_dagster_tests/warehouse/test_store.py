"""The warehouse's idempotent writes, on a SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from xsignals_dagster.warehouse.store import table_for_frame

EVENTS = pd.DataFrame(
    {
        "day": ["d1", "d1", "d2"],
        "n": pd.array([1, None, 3], dtype="Int64"),
        "x": [0.5, float("nan"), 2.0],
        "ok": pd.array([True, None, False], dtype="boolean"),
        "at": pd.to_datetime(["2026-11-20 10:00", None, "2026-11-21 00:00"]),
        "label": ["a", None, "c"],
    }
)


def test_replace_partition_is_idempotent_and_keeps_other_partitions(store):
    table = table_for_frame("events", EVENTS)
    for _ in range(2):
        with store.transaction() as tx:
            tx.replace(table, EVENTS, {})
    with store.transaction() as tx:
        tx.replace(table, EVENTS[EVENTS["day"] == "d1"].assign(label="new"), {"day": "d1"})
    back = store.read_table("events").sort_values(["day", "label"], ignore_index=True)
    assert len(back) == 3
    assert list(back["label"]) == ["new", "new", "c"]
    assert back["n"].isna().sum() == 1 and back["x"].isna().sum() == 1 and back["ok"].isna().sum() == 1
    assert back.loc[2, "at"] == pd.Timestamp("2026-11-21")
    assert back["n"].dtype == "Int64" and back["x"].dtype == "float64"


def test_a_failed_transaction_leaves_the_table_as_it_was(store):
    table = table_for_frame("events", EVENTS)
    with store.transaction() as tx:
        tx.replace(table, EVENTS, {})
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.delete(table, {"day": "d1"})
        raise RuntimeError("crash in the middle of a replace")
    assert store.count("events") == 3


def test_replace_table_changes_columns_atomically(store):
    with store.transaction() as tx:
        tx.replace_table("profile", pd.DataFrame({"customer_id": ["c1"], "a": [1]}))
    with store.transaction() as tx:
        tx.replace_table("profile", pd.DataFrame({"customer_id": ["c1", "c2"], "b": [0.5, 1.5]}))
    back = store.read_table("profile")
    assert list(back.columns) == ["customer_id", "b"] and len(back) == 2
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.replace_table("profile", pd.DataFrame({"customer_id": ["c9"]}))
        raise RuntimeError("crash after the drop")
    assert list(store.read_table("profile").columns) == ["customer_id", "b"]


def test_sqlite_uses_write_ahead_logging(tmp_path):
    from xsignals_dagster.warehouse import WarehouseStore

    store = WarehouseStore(f"sqlite:///{tmp_path / 'nested' / 'w.db'}")
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar_one() == "wal"


def test_a_table_reads_back_with_the_values_and_dtypes_it_was_written_with(store):
    """Reads type each column from the driver's raw values (SQLite hands back timestamps as
    text and booleans as 0/1): every dtype and every missing value survives the round trip,
    an empty table keeps its typed columns, and a text query returns the values as they are."""
    with store.transaction() as tx:
        tx.replace_table("events", EVENTS)
        tx.replace_table("no_events", EVENTS.iloc[:0])
    back = store.read_table("events").sort_values("day", kind="stable", ignore_index=True)
    pd.testing.assert_frame_equal(back, EVENTS, check_dtype=True)
    empty = store.read_table("no_events")
    assert list(empty.columns) == list(EVENTS.columns) and len(empty) == 0
    assert (
        empty["n"].dtype == "Int64"
        and empty["at"].dtype == "datetime64[ns]"
        and empty["ok"].dtype == "boolean"
    )
    labels = store.query("SELECT label FROM events ORDER BY day, label")
    assert sorted(labels["label"].dropna()) == ["a", "c"] and labels["label"].isna().sum() == 1
