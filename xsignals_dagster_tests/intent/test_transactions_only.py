"""A retailer that lands nothing but sales (CDNOW's real purchases as pos files): the
supervised model trains on the transactions alone and scores every customer."""

from __future__ import annotations

import datetime as dt
import json

import dagster as dg
import numpy as np

from xsignals_dagster.demo.transactions import land_transactions, read_cdnow
from xsignals_dagster.headless import run_everything
from xsignals_dagster.intent.features import TOUCHPOINT_PATTERNS, columns_matching
from xsignals_dagster.intent.registry import latest_model
from xsignals_dagster.intent.stacking import ParetoNbdStack
from xsignals_dagster.resources import IntentConfig, LandingZone, Warehouse, build_resources
from xsignals_dagster.warehouse import WarehouseStore

HORIZON_DAYS = 14
# 80 days: two horizons plus a week, and room for four weekly training snapshots.
CUT_OFF = dt.date(1997, 3, 21)


def test_a_sales_only_landing_zone_trains_on_the_transactions_and_scores_every_customer(tmp_path):
    land_transactions(read_cdnow(sample=True), tmp_path / "landing", until=CUT_OFF)
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    resources = {
        **build_resources(),
        "landing": LandingZone(root=str(tmp_path / "landing")),
        "warehouse": Warehouse(url=url),
        "intent_config": IntentConfig(horizon_days=HORIZON_DAYS),
    }
    with dg.instance_for_test() as instance:
        run_everything(instance, tmp_path / "landing", resources)
        metadata = instance.get_latest_materialization_event(
            dg.AssetKey("intent_model")
        ).asset_materialization.metadata
        # Nothing changed: the second run keeps the model instead of registering the same one again
        # (so a run re-run after a crash leaves one entry, as a clean run does).
        run_everything(instance, tmp_path / "landing", resources)
        again = instance.get_latest_materialization_event(
            dg.AssetKey("intent_model")
        ).asset_materialization.metadata
    assert metadata["trained_again"].value is True and again["trained_again"].value is False
    assert again["version"].value == metadata["version"].value
    assert len(WarehouseStore(url).read_table("intent_models")) == 1

    assert metadata["kind"].value == "supervised", metadata.get("reason")
    assert metadata["evaluation"].value == "out of time"
    store = WarehouseStore(url)
    model = latest_model(store, HORIZON_DAYS)
    # what was measured and what scores, in the metadata and in the registry's evidence
    assert metadata["served_fit"].value == model.fits()["served_fit"]
    assert metadata["served_fit"].value.startswith(f"all {len(model.served_on)} snapshots")
    assert f"… {model.evaluated_on:%Y-%m-%d}," in metadata["served_fit"].value
    assert metadata["evaluated_fit"].value.endswith(f"evaluated on {model.evaluated_on:%Y-%m-%d}")
    evidence = json.loads(store.read_table("intent_models")["metrics"].iloc[-1])
    assert {evidence["evaluated_fit"], evidence["served_fit"]} == set(model.fits().values())
    touchpoints = {
        name
        for name, pattern in TOUCHPOINT_PATTERNS.items()
        if columns_matching(model.feature_columns, pattern)
    }
    assert "pos/transactional" in touchpoints
    assert not touchpoints & {
        "web",
        "app",
        "email",
        "service",
    }  # sales only: nothing of the web, app or email
    assert metadata["bg_nbd_roc_auc"].value > 0.5  # the classic it must beat was fitted beside it
    # With a purchase history, the booster serves stacked with Pareto/NBD (intent/stacking.py).
    assert metadata["stacked_with_pareto_nbd"].value == 1.0 and metadata["booster_roc_auc"].value > 0.5
    assert isinstance(model.pipeline[-1], ParetoNbdStack)
    scores, profiles = store.read_table("intent_scores"), store.read_table("customer_profiles")
    assert len(scores) == len(profiles) > 2_000
    assert scores["model_version"].str.startswith("supervised-").all()
    assert scores["intent_score"].between(0, 1).all() and scores["intent_score"].nunique() > 50
    # The kept model predicts what was scored, stacked as it is.
    served = scores.set_index("customer_id")["intent_score"]
    predicted = model.predict(profiles.set_index("customer_id").loc[served.index])
    np.testing.assert_allclose(predicted, served.to_numpy(), rtol=1e-6)
