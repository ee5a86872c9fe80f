"""The demo's entry point: `generate` draws a world of customers and writes its landing zone and truth.

Each part of the draw takes its own random stream, spawned from the seed in RANDOM_STREAMS' order, so
identical arguments give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from xsignals_dagster.demo.campaigns import build_email, build_preferences
from xsignals_dagster.demo.intent import build_orders, simulate_intent
from xsignals_dagster.demo.landing import SOURCES, land
from xsignals_dagster.demo.population import build_world
from xsignals_dagster.demo.rosters import build_rosters
from xsignals_dagster.demo.service_and_erasure import build_erasure, build_service
from xsignals_dagster.demo.store_and_pos import build_pos, build_store
from xsignals_dagster.demo.truth import holdout_truth, identifier_truth, person_truth
from xsignals_dagster.demo.web_and_app import build_app, build_web
from xsignals_dagster.demo.world import Calendar

RANDOM_STREAMS = (
    "world",
    "intent",
    "orders",
    "preferences",
    "email",
    "web",
    "app",
    "store",
    "pos",
    "rosters",
    "service",
    "erasure",
    "landing",
)


def generate(
    persons: int,
    days: int,
    seed: int,
    out: str | Path,
    end_date: dt.date | None = None,
    bad_row_rate: float = 0.001,
    horizon_days: int = 14,
) -> dict:
    """Write `out/landing` (the ten sources, extract dates end_date-days+1 … end_date) and `out/truth`.

    Replaces what an earlier run wrote there. `end_date` defaults to yesterday (UTC); about `bad_row_rate`
    of the rows are deliberately broken. Any persons >= 1 and days >= 1 work: a day without rows lands no
    file, and a source without any row (a small zone may have no store sale or no email) lands one
    header-only file dated the first day, except app, whose JSON lines have no header (its folder stays
    empty). The truth holds persons.csv (who people are, their hidden state and
    p_purchase_holdout for the `horizon_days` after end_date), identifiers.csv, records.csv (the person
    behind every clean landed row), holdout_purchases.csv, bad_rows.csv and meta.json. Returns a summary.
    """
    if persons < 1 or days < 1 or horizon_days < 1:
        raise ValueError("persons, days and horizon_days must be at least 1")
    if not 0 <= bad_row_rate < 1:
        raise ValueError("bad_row_rate must be in [0, 1)")
    if end_date is None:
        end_date = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    cal = Calendar(end_date - dt.timedelta(days=days - 1), days, horizon_days)
    rng = dict(zip(RANDOM_STREAMS, np.random.default_rng(seed).spawn(len(RANDOM_STREAMS)), strict=False))

    world = build_world(rng["world"], persons, cal)
    intent = simulate_intent(rng["intent"], world)
    orders, lines = build_orders(rng["orders"], world, intent)
    preferences, consent = build_preferences(rng["preferences"], world)
    email, clicks = build_email(rng["email"], world, intent, consent)
    web, pickups = build_web(rng["web"], world, intent, orders, clicks)
    store = build_store(rng["store"], world, intent, orders, pickups)
    pos, transactions = build_pos(rng["pos"], world, orders, lines)
    accounts, loyalty = build_rosters(rng["rosters"], world, transactions)
    erasure, erasure_day = build_erasure(rng["erasure"], world)
    frames = {
        "web": web,
        "app": build_app(rng["app"], world, intent, orders, consent),
        "store": store,
        "pos": pos,
        "loyalty": loyalty,
        "accounts": accounts,
        "email": email,
        "service": build_service(rng["service"], world, intent, orders, transactions),
        "preferences": preferences,
        "erasure": erasure,
    }

    out = Path(out)
    landing, truth = out / "landing", out / "truth"
    for folder in [landing / source.name for source in SOURCES] + [truth]:
        shutil.rmtree(folder, ignore_errors=True)
    person_ids = np.r_[world.column("person_id"), [""]]  # index -1: no person
    landed = {
        source.name: land(rng["landing"], source, frames[source.name], cal, landing, person_ids, bad_row_rate)
        for source in SOURCES
    }

    truth.mkdir(parents=True)
    purchased_holdout = (
        np.bincount(orders["person"].to_numpy()[orders["day"].to_numpy() >= cal.days], minlength=persons) > 0
    )
    tables = {
        "persons": person_truth(world, intent, purchased_holdout, erasure_day),
        "identifiers": identifier_truth(world, store),
        "records": pd.concat([result.records for result in landed.values()], ignore_index=True),
        "holdout_purchases": holdout_truth(world, orders, lines),
        "bad_rows": pd.concat([result.bad_rows for result in landed.values()], ignore_index=True),
    }
    for name, table in tables.items():
        table.to_csv(truth / f"{name}.csv", index=False, lineterminator="\n")

    summary = {
        "persons": persons,
        "households": len(world.households),
        "days": days,
        "start_date": cal.start.isoformat(),
        "end_date": end_date.isoformat(),
        "horizon_days": horizon_days,
        "seed": seed,
        "files": {name: result.files for name, result in landed.items()},
        "rows": {name: result.rows for name, result in landed.items()},
        "bad_rows": len(tables["bad_rows"]),
        "holdout_purchase_rate": round(float(purchased_holdout.mean()), 4),
        "mean_p_purchase_holdout": round(float(intent.p_holdout.mean()), 4),
    }
    (truth / "meta.json").write_text(json.dumps({**summary, "bad_row_rate": bad_row_rate}, indent=2) + "\n")
    return summary
