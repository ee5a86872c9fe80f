"""A transaction log landed as daily pos files, and CDNOW read back through the real ingestion."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pandas as pd

from xsignals_dagster.demo.transactions import land_transactions, read_cdnow
from xsignals_dagster.headless import run_everything
from xsignals_dagster.resources import LandingZone, Warehouse, build_resources
from xsignals_dagster.warehouse import WarehouseStore

# Two months of the sample keep the run to seconds: 59 daily files, 2,063 purchases.
SAMPLE_CUT_OFF = dt.date(1997, 2, 28)

# The pos columns a landed log fills, in the order the file lists them.
POS_COLUMNS = ("transaction_id", "line_no", "ts", "store_id", "amount", "quantity", "loyalty_id")


def test_a_log_lands_one_file_per_day_up_to_the_cut_off(tmp_path):
    log = pd.DataFrame(
        {
            "customer_id": ["c2", "c1", "c1", "c3"],
            "ts": ["2026-03-02T23:30:00-02:00", "2026-03-01 10:00:00", "2026-03-04", "2026-03-09"],
            "amount": [5.5, 12.0, 3.25, 40.0],
        }
    )
    landed = land_transactions(log, tmp_path, until=dt.date(2026, 3, 5))
    assert landed.files == 5 and landed.rows == 3  # 03-03 (01:30 UTC) and 03-05: quiet days land empty files
    files = sorted(p.name for p in (tmp_path / "pos").iterdir())
    assert files == [f"2026-03-0{d}.csv" for d in range(1, 6)]  # nothing in flight is left behind
    day = {name: pd.read_csv(tmp_path / "pos" / name, dtype=str, keep_default_na=False) for name in files}
    assert list(day["2026-03-01.csv"].columns) == list(POS_COLUMNS)
    assert day["2026-03-02.csv"].empty and day["2026-03-05.csv"].empty
    assert day["2026-03-03.csv"].iloc[0].to_dict() == {
        "transaction_id": "t000000002",
        "line_no": "1",
        "ts": "2026-03-03T01:30:00.000000Z",
        "store_id": "online",
        "amount": "5.5",
        "quantity": "",
        "loyalty_id": "c2",
    }

    before = (tmp_path / "pos" / "2026-03-04.csv").read_bytes()
    land_transactions(log, tmp_path)
    # A later cut-off leaves the earlier days as they were.
    assert (tmp_path / "pos" / "2026-03-04.csv").read_bytes() == before
    assert (tmp_path / "pos" / "2026-03-09.csv").exists()


def test_cdnow_files_are_read_from_the_installed_package():
    cohort, sample = read_cdnow(), read_cdnow(sample=True)
    assert (len(cohort), cohort["customer_id"].nunique()) == (69_659, 23_570)
    assert (len(sample), sample["customer_id"].nunique()) == (6_919, 2_357)
    assert set(sample["customer_id"]) <= set(cohort["customer_id"])
    assert cohort["ts"].min() == pd.Timestamp("1997-01-01")
    assert cohort["ts"].max() == pd.Timestamp("1998-06-30")


def test_cdnow_sample_goes_through_ingestion_and_identity_one_customer_each(tmp_path):
    purchases = read_cdnow(sample=True)
    landed = land_transactions(purchases, tmp_path / "landing", until=SAMPLE_CUT_OFF)
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    resources = {
        **build_resources(),
        "landing": LandingZone(root=str(tmp_path / "landing")),
        "warehouse": Warehouse(url=url),
    }
    with dg.instance_for_test() as instance:
        run_everything(instance, tmp_path / "landing", resources, leave_out_groups=frozenset({"intent"}))

    store = WarehouseStore(url)
    files = store.read_table("ingested_files")
    assert len(files) == landed.files == 59
    assert files["rows_read"].sum() == files["rows_loaded"].sum() == landed.rows == 2_063
    assert store.count("rejected_rows") == 0 and store.count("quarantined_files") == 0
    identifiers = store.read_table("customer_identifiers")
    assert set(identifiers["id_type"]) == {"loyalty_id"}
    buyers = set(purchases.loc[purchases["ts"].dt.date <= SAMPLE_CUT_OFF, "customer_id"])
    assert set(identifiers["id_value"]) == buyers
    # One customer per CDNOW customer.
    assert identifiers["customer_id"].nunique() == len(identifiers) == len(buyers)
    store.dispose()
