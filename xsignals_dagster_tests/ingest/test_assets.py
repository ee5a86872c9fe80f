"""The ingestion assets in a real Dagster instance: partitions, metadata, checks, misfits."""

from __future__ import annotations

import dagster as dg

from xsignals_dagster.definitions import defs
from xsignals_dagster.defs.ingest import landing_misfits, source_assets
from xsignals_dagster.partitions import extract_dates
from xsignals_dagster.resources import LandingZone, Warehouse
from xsignals_dagster.warehouse import WarehouseStore
from xsignals_dagster_tests.ingest.landing_files import land

WEB = "event_id,ts,cookie_id,event_type\n"


def _resources(landing, warehouse_url):
    return {"landing": LandingZone(root=str(landing)), "warehouse": Warehouse(url=warehouse_url)}


def test_every_source_has_a_partitioned_asset_with_checks():
    graph = defs.resolve_asset_graph()
    names = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert {
        f"stg_{s}"
        for s in (
            "web",
            "app",
            "store",
            "pos",
            "loyalty",
            "accounts",
            "email",
            "service",
            "preferences",
            "erasure",
        )
    } <= names
    for asset in source_assets:
        assert asset.partitions_def == extract_dates
        assert {c.name for c in asset.check_specs} == {
            "no_quarantined_files",
            "rejected_share_below_threshold",
        }


def test_materializing_a_partition_reports_counts_and_checks(landing, tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    land(landing, "web/2026-11-20.csv", WEB + "e1,2026-11-20,c1,page_view\ne2,bad,c1,page_view\n")
    land(landing, "web/2026-11-20-b.csv.gz", b"not gzip")
    web = next(a for a in source_assets if a.key == dg.AssetKey("stg_web"))
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(extract_dates.name, ["2026-11-20"])
        result = dg.materialize(
            [web], partition_key="2026-11-20", instance=instance, resources=_resources(landing, url)
        )
        assert result.success
        [materialization] = result.asset_materializations_for_node("stg_web")
        metadata = {k: v.value for k, v in materialization.metadata.items()}
        assert metadata["rows_read"] == 2 and metadata["rows_loaded"] == 1 and metadata["rows_rejected"] == 1
        assert metadata["files_quarantined"] == 1
        checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
        assert checks == {"no_quarantined_files": False, "rejected_share_below_threshold": False}
    assert WarehouseStore(url).count("stg_web") == 1


def test_landing_misfits_lists_files_outside_the_pattern(landing, tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    land(landing, "clicks/2026-11-20.csv", "x")
    land(landing, "web/notes.txt", "x")
    land(landing, "web/2026-11-20.csv.part", "x")
    with dg.instance_for_test() as instance:
        result = dg.materialize([landing_misfits], instance=instance, resources=_resources(landing, url))
        assert result.success
    quarantined = WarehouseStore(url).read_table("quarantined_files")
    assert sorted(quarantined["path"]) == ["clicks/2026-11-20.csv", "web/notes.txt"]
    assert quarantined["extract_date"].isna().all()
