"""Signals, consent and the unified customer profile: one computation, one asset per table."""

import dagster as dg
import pandas as pd

from xsignals_dagster.automation import DOWNSTREAM_REFRESH
from xsignals_dagster.contract.sources import IDENTITY_SOURCES, SOURCES
from xsignals_dagster.contract.vocabularies import WAREHOUSE_POOL
from xsignals_dagster.ingest.frames import (
    end_of_day,
    load_source_frames,
    newest_extract_date,
)
from xsignals_dagster.privacy import consent_state
from xsignals_dagster.resources import Warehouse
from xsignals_dagster.signals.profile import build_profile, compute_signals

SIGNAL_DESCRIPTIONS = {
    "behavioral": (
        "Views, searches, carts, wishlists and sessions per channel over 7/30/90 days; interests; recency."
    ),
    "transactional": (
        "Orders, revenue, AOV, returns, channel mix, recency/frequency/monetary across web, app and stores."
    ),
    "engagement": (
        "Email delivered/open/click rates, push opens, unsubscribes, complaints, service contacts "
        "and their tone."
    ),
    "contextual": (
        "Device and OS mix, stores, time of day and week; location signals only with location consent."
    ),
    "preference": "Stated channel, interests and consents (latest), inferred favourite category and channel.",
    "journey": (
        "What exists only across touchpoints: researched online then visited a store, tried on what "
        "was viewed, ..."
    ),
}
UPSTREAM = [
    dg.AssetKey("customer_records"),
    dg.AssetKey("customers"),
    dg.AssetKey("erasures"),
    *(dg.AssetKey(SOURCES[s].table) for s in IDENTITY_SOURCES),
]


def _spec(name: str, group: str, description: str) -> dg.AssetSpec:
    return dg.AssetSpec(
        name,
        group_name=group,
        kinds={"pandas", "sql"},
        description=description,
        deps=UPSTREAM,
        automation_condition=DOWNSTREAM_REFRESH,
    )


def _coverage(frame: pd.DataFrame) -> dict[str, float | int]:
    """Rows, and the share of non-empty values over the signal columns (plotted over runs)."""
    values = frame.drop(columns=["customer_id"], errors="ignore")
    return {
        "rows": len(frame),
        "columns": values.shape[1],
        "signal_coverage": float(values.notna().to_numpy().mean()) if values.size else 0.0,
    }


@dg.multi_asset(
    specs=[
        *(
            _spec(f"{name}_signals", "signals", f"{name}_ signals per customer: {text}")
            for name, text in SIGNAL_DESCRIPTIONS.items()
        ),
        _spec(
            "customer_profiles",
            "signals",
            "The unified customer profile (CONTRACT §2): is_known, first/last seen, every signal.",
        ),
        _spec(
            "customer_consents",
            "privacy",
            "Consent per customer and channel, the latest of preferences, unsubscribes and complaints.",
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "every_customer_has_a_profile",
            asset="customer_profiles",
            description="One profile row per customer, no more.",
        ),
    ],
    pool=WAREHOUSE_POOL,
    can_subset=False,
)
def customer_signals(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Every signal as of the end of the newest extract date (point in time: nothing later)."""
    store = warehouse.store
    newest = newest_extract_date(store)
    as_of = end_of_day(newest) if newest is not None else pd.Timestamp.now(tz="UTC").tz_localize(None)
    frames = load_source_frames(store, IDENTITY_SOURCES)
    record_customers = store.read_table("customer_records").dropna(subset=["customer_id"])
    customers = store.read_table("customers")
    signals = compute_signals(frames, record_customers, as_of)
    profile = build_profile(customers, signals, frames, record_customers, as_of)
    consents = consent_state(frames, record_customers, as_of).reset_index()
    tables = {f"{name}_signals": frame.reset_index() for name, frame in signals.items()}
    tables["customer_profiles"] = profile
    tables["customer_consents"] = consents
    with store.transaction() as tx:
        for name, frame in tables.items():
            tx.replace_table(name, frame.assign(as_of=as_of) if name != "customer_profiles" else frame)
    context.log.info(f"signals as of {as_of} for {len(profile)} customers")
    for name, frame in tables.items():
        yield dg.MaterializeResult(asset_key=name, metadata={**_coverage(frame), "as_of": str(as_of)})
    duplicated = int(profile["customer_id"].duplicated().sum())
    missing = int((~customers["customer_id"].isin(profile["customer_id"])).sum())
    yield dg.AssetCheckResult(
        asset_key="customer_profiles",
        check_name="every_customer_has_a_profile",
        passed=duplicated == 0 and missing == 0 and len(profile) == customers["customer_id"].nunique(),
        metadata={
            "customers": len(customers),
            "profiles": len(profile),
            "missing": missing,
            "duplicated": duplicated,
        },
    )
