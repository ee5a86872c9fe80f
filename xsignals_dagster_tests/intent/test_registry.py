"""The registry's training fingerprint: what decides whether a model is trained again."""

from __future__ import annotations

import pandas as pd

from xsignals_dagster.intent import IntentSettings
from xsignals_dagster.intent.registry import newest_models, register_model, training_fingerprint
from xsignals_dagster.warehouse import WarehouseStore
from xsignals_dagster_tests.intent.conftest import HORIZON_DAYS


def test_the_fingerprint_ignores_row_and_column_order_and_sees_any_changed_value(world):
    training_set, purchases, _ = world
    settings = IntentSettings()
    reference = training_fingerprint(training_set, purchases, HORIZON_DAYS, settings)
    shuffled = training_set.sample(frac=1.0, random_state=1)[list(reversed(training_set.columns))]
    assert training_fingerprint(shuffled, purchases.iloc[::-1], HORIZON_DAYS, settings) == reference

    changed = training_set.copy()
    changed.iloc[0, changed.columns.get_loc("purchased")] = 1 - changed["purchased"].iloc[0]
    one_purchase_less = purchases.iloc[1:]
    others = [
        training_fingerprint(changed, purchases, HORIZON_DAYS, settings),
        training_fingerprint(training_set, one_purchase_less, HORIZON_DAYS, settings),
        training_fingerprint(training_set, purchases, HORIZON_DAYS + 1, settings),
        training_fingerprint(training_set, purchases, HORIZON_DAYS, IntentSettings(max_iter=50)),
    ]
    assert reference not in others and len(set(others)) == len(others)


def test_the_registry_returns_the_newest_entries_with_their_fingerprints(tmp_path, trained):
    store = WarehouseStore(f"sqlite:///{tmp_path / 'warehouse.db'}")
    assert newest_models(store, HORIZON_DAYS, 2) == []
    register_model(store, trained, pd.Timestamp("2026-11-01", tz="UTC"), "older")
    register_model(store, trained, pd.Timestamp("2026-11-08", tz="UTC"), "newer")
    newest = newest_models(store, HORIZON_DAYS, 2)
    assert [entry.training_fingerprint for entry in newest] == ["newer", "older"]
    assert newest[0].model.version == trained.version
    assert newest_models(store, HORIZON_DAYS + 1, 2) == []
