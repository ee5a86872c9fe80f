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


def _resolve(
    landing, tmp_path, rows: list[str], header: str = HEADER
) -> tuple[dg.ExecuteInProcessResult, str]:
    """Land loyalty rows, load them and run identity resolution; the result and the warehouse url."""
    url = f"sqlite:///{tmp_path / 'w.db'}"
    land(landing, "loyalty/2026-11-20.csv", header + "\n".join(rows) + "\n")
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
    return result, url


def _materialization(result: dg.ExecuteInProcessResult, table: str) -> dg.AssetMaterialization:
    return next(
        m
        for m in result.asset_materializations_for_node("identity_resolution")
        if m.asset_key.path == [table]
    )


def test_materialization_reports_the_fitted_m_and_u_of_every_level(landing, tmp_path):
    rows = [
        "L1,2026-11-20,Diana,Okafor,1976-05-06,5112 145th St,Anytown,00000",
        "L2,2026-11-20,Anna,Okafor,1979-09-29,5112 145th St,Anytown,00000",
        "L3,2026-11-20,Dianna,Okafor,1976-05-06,5112 145th St,Anytown,00000",
    ]
    result, url = _resolve(landing, tmp_path, rows)
    materialization = _materialization(result, "customer_identifiers")
    table = materialization.metadata["match_model"].value
    stored = WarehouseStore(url).read_table("identity_match_model")
    assert len(table.records) == len(stored) > 0
    first_name = {r.data["level"]: r.data for r in table.records if r.data["comparison"] == "first_name"}
    assert first_name["exact"]["match_weight"] > 0 > first_name["different"]["match_weight"]
    customers = WarehouseStore(url).read_table("customer_identifiers").set_index("id_value")["customer_id"]
    assert (
        customers["L1"] == customers["L3"] != customers["L2"]
    )  # Dianna is Diana mistyped; Anna her household


def test_identity_links_in_the_warehouse_say_which_household_members_were_kept_apart(landing, tmp_path):
    """The form copied Diana's birth date onto Anna's card: a household-blind model would merge them."""
    members = [
        ("L1", "Diana", "1976-05-06"),
        ("L2", "Anna", "1976-05-06"),
        ("L3", "Marcus", "2004-11-03"),
        ("L4", "Leah", "2011-07-18"),
        ("L5", "Sam", "2019-03-03"),
    ]
    rows = [
        f"{key},2026-11-20,{first},Okafor,{born},5112 145th St,Anytown,00000,WA"
        for key, first, born in members
    ]
    result, url = _resolve(landing, tmp_path, rows, HEADER.replace("postcode", "postcode,state"))

    links = WarehouseStore(url).read_table("identity_links")
    apart = links[links["kind"] == "kept_apart"]
    assert len(apart) == 1 and {apart.iloc[0]["left_value"], apart.iloc[0]["right_value"]} == {"L1", "L2"}
    customers = WarehouseStore(url).read_table("customer_identifiers").set_index("id_value")["customer_id"]
    assert {apart.iloc[0]["customer_id"], apart.iloc[0]["right_customer_id"]} == {
        customers["L1"],
        customers["L2"],
    }
    metadata = _materialization(result, "identity_links").metadata
    assert metadata["links_kept_apart_household"].value == metadata["links_kept_apart"].value == 1
