"""The `xsignals` command as a user runs it: generate a zone, run headless, from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from xsignals_dagster.warehouse import WarehouseStore

XSIGNALS = str(Path(sys.executable).parent / "xsignals")


def xsignals(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [XSIGNALS, *args], cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True, timeout=900
    )


def test_generate_then_run_from_another_folder(tmp_path):
    generated = xsignals(
        "generate",
        "--persons",
        "300",
        "--days",
        "5",
        "--seed",
        "7",
        "--out",
        "demo",
        "--end-date",
        "2026-11-21",
        cwd=tmp_path,
    )
    assert generated.returncode == 0, generated.stderr
    env = {
        "XSIGNALS_LANDING_DIR": "demo/landing",
        "XSIGNALS_WAREHOUSE_URL": "sqlite:///demo/w.db",
        "DAGSTER_HOME": str(tmp_path / "home"),
    }
    ran = xsignals("run", cwd=tmp_path, **env)
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert ran.stdout.strip().endswith("all assets materialized")
    store = WarehouseStore(f"sqlite:///{tmp_path / 'demo' / 'w.db'}")
    files = store.read_table("ingested_files")
    landed = sorted(
        p.relative_to(tmp_path / "demo" / "landing").as_posix()
        for p in (tmp_path / "demo" / "landing").rglob("*.*")
    )
    assert sorted(files["path"]) == landed  # every landed file read, none twice
    assert (files["rows_read"] == files["rows_loaded"] + files["rows_rejected"]).all()
    rejected = store.read_table("rejected_rows").groupby("path").size()
    assert (files.set_index("path")["rows_rejected"] == rejected.reindex(files["path"], fill_value=0)).all()
    assert files["source"].nunique() == 10
    identifiers = store.read_table("customer_identifiers")
    assert list(identifiers.columns[:3]) == ["customer_id", "id_type", "id_value"]
    assert set(identifiers["id_type"]) <= {
        "cookie_id",
        "device_id",
        "account_id",
        "loyalty_id",
        "email",
        "phone",
        "payment_token",
    }
    with dg.DagsterInstance.from_config(str(tmp_path / "home")) as instance:
        runs = instance.get_runs()
        assert len(runs) == 2 and all(r.is_success for r in runs)  # visible in the UI's instance


def test_run_fails_with_a_one_line_reason(tmp_path):
    (tmp_path / "landing" / "web").mkdir(parents=True)
    (tmp_path / "landing" / "web" / "2026-11-20.csv").write_text(
        "event_id,ts,cookie_id,event_type\ne1,2026-11-20,c1,page_view\n"
    )
    ran = xsignals(
        "run",
        cwd=tmp_path,
        XSIGNALS_LANDING_DIR=str(tmp_path / "landing"),
        XSIGNALS_WAREHOUSE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none",
        DAGSTER_HOME=str(tmp_path / "home"),
    )
    assert ran.returncode != 0
    last = ran.stderr.strip().splitlines()[-1]
    assert last.startswith("xsignals run: ingest run") and "failed" in last
