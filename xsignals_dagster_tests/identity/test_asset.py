"""The identity multi-asset in a real Dagster instance: the fitted model reaches the metadata and
the warehouse."""

from __future__ import annotations

import dagster as dg

from xsignals_dagster.defs.identity import identity_resolution
from xsignals_dagster.defs.ingest import source_assets
from xsignals_dagster.partitions import extract_dates
from xsignals_dagster.resources import GroundTruth, LandingZone, Warehouse
from xsignals_dagster.warehouse import WarehouseStore
from xsignals_dagster_tests.ingest.landing_files import land

HEADER = "loyalty_id,updated_at,first_name,last_name,date_of_birth,street,city,postcode\n"


def test_materialization_reports_the_fitted_m_and_u_of_every_level(landing, tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    rows = [
        "L1,2026-11-20,Diana,Okafor,1976-05-06,5112 145th St,Anytown,00000",
        "L2,2026-11-20,Anna,Okafor,1979-09-29,5112 145th St,Anytown,00000",
        "L3,2026-11-20,Dianna,Okafor,1976-05-06,5112 145th St,Anytown,00000",
    ]
    land(landing, "loyalty/2026-11-20.csv", HEADER + "\n".join(rows) + "\n")
    loyalty = next(a for a in source_assets if a.key == dg.AssetKey("stg_loyalty"))
    resources = {
        "landing": LandingZone(root=str(landing)),
        "warehouse": Warehouse(url=url),
        "truth": GroundTruth(),
    }
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(extract_dates.name, ["2026-11-20"])
        assert dg.materialize(
            [loyalty], partition_key="2026-11-20", instance=instance, resources=resources
        ).success
        result = dg.materialize([identity_resolution], instance=instance, resources=resources)
        assert result.success
        materialization = next(
            m
            for m in result.asset_materializations_for_node("identity_resolution")
            if m.asset_key.path == ["customer_identifiers"]
        )
    table = materialization.metadata["match_model"].value
    stored = WarehouseStore(url).read_table("identity_match_model")
    assert len(table.records) == len(stored) > 0
    first_name = {r.data["level"]: r.data for r in table.records if r.data["comparison"] == "first_name"}
    assert first_name["exact"]["match_weight"] > 0 > first_name["different"]["match_weight"]
    customers = WarehouseStore(url).read_table("customer_identifiers").set_index("id_value")["customer_id"]
    assert (
        customers["L1"] == customers["L3"] != customers["L2"]
    )  # Dianna is Diana mistyped; Anna her household
