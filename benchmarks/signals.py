"""Signals throughput: `compute_signals` + `build_profile` on synthetic typed frames.

    python benchmarks/signals.py [--persons 100000] [--days 60] [--seed 7] [--tracemalloc]

Builds the frames `ingest.frames.load_source_frames` would return for a retailer of
`--persons` people over `--days` days (about 84 rows per person over 60 days, a little
more than the demo generator's 70; every contract column present), each record owned by
its person, then prints rows, wall time and memory of the two calls: the process's peak
resident size (getrusage) against its size before, and with --tracemalloc the peak of
traced allocations (slower).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xsignals_dagster.contract.sources import SOURCES  # noqa: E402
from xsignals_dagster.ingest.records import typed  # noqa: E402
from xsignals_dagster.signals.profile import build_profile, compute_signals  # noqa: E402

START = pd.Timestamp("2026-01-01")
PRODUCTS, CATEGORIES, STORES, CITIES = 400, 12, 40, 60
INTERESTS_PER_PERSON = 8
# Rows per person over 60 days, and the event-type mix of each event source.
ROWS_PER_PERSON_60D = {
    "web": 40.0,
    "app": 20.0,
    "email": 15.0,
    "store": 3.0,
    "pos": 4.0,
    "service": 0.3,
    "preferences": 0.6,
}
EVENT_MIX = {
    "web": {
        "page_view": 0.35,
        "product_view": 0.33,
        "search": 0.12,
        "add_to_cart": 0.08,
        "wishlist_add": 0.05,
        "checkout": 0.04,
        "purchase": 0.03,
    },
    "app": {
        "app_open": 0.2,
        "product_view": 0.35,
        "search": 0.12,
        "add_to_cart": 0.08,
        "wishlist_add": 0.05,
        "purchase": 0.02,
        "push_received": 0.15,
        "push_open": 0.03,
    },
    "store": {"store_visit": 0.5, "try_on": 0.3, "associate_consult": 0.15, "click_and_collect_pickup": 0.05},
    "email": {
        "sent": 0.35,
        "delivered": 0.33,
        "open": 0.2,
        "click": 0.08,
        "bounce": 0.02,
        "unsubscribe": 0.015,
        "complaint": 0.005,
    },
}
ROSTER_SHARE = {"loyalty": 0.4, "accounts": 0.6}


def _names(prefix: str, n: int) -> np.ndarray:
    return pd.Index(np.arange(n)).astype(str).map(lambda i: f"{prefix}{i}").to_numpy(dtype=object)


class Synthesiser:
    """Typed source frames whose people have a few products they keep coming back to."""

    def __init__(self, persons: int, days: int, seed: int):
        self.rng = np.random.default_rng(seed)
        self.persons, self.days = persons, days
        self.activity = self.rng.lognormal(0, 1, persons)
        self.interests = self.rng.integers(0, PRODUCTS, (persons, INTERESTS_PER_PERSON))
        self.products = _names("P", PRODUCTS)
        self.product_category = _names("category_", CATEGORIES)[np.arange(PRODUCTS) % CATEGORIES]
        self.stores, self.cities = _names("S", STORES), _names("city_", CITIES)
        self.customer_ids = _names("cust-", persons)

    def _people(self, rows_per_person: float) -> np.ndarray:
        n = int(rows_per_person * self.persons * self.days / 60)
        return self.rng.choice(self.persons, n, p=self.activity / self.activity.sum())

    def _times(self, n: int) -> np.ndarray:
        return (START + pd.to_timedelta(self.rng.integers(0, self.days * 86_400, n), unit="s")).to_numpy()

    def _pick(self, values: np.ndarray, n: int, present: float = 1.0) -> np.ndarray:
        picked = values[self.rng.integers(0, len(values), n)]
        return np.where(self.rng.random(n) < present, picked, None)

    def _columns(self, source: str, person: np.ndarray) -> dict[str, np.ndarray]:
        n, rng = len(person), self.rng
        product = self.interests[person, rng.integers(0, INTERESTS_PER_PERSON, n)]
        columns = {
            "ts": self._times(n),
            "product_id": self.products[product],
            "category": self.product_category[product],
        }
        if source in EVENT_MIX:
            mix = EVENT_MIX[source]
            columns["event_type"] = np.array(list(mix), dtype=object)[
                rng.choice(len(mix), n, p=list(mix.values()))
            ]
        if source in ("web", "app"):
            purchase = columns["event_type"] == "purchase"
            columns["order_id"] = np.where(purchase, _names(f"{source}-order-", n), None)
            columns["revenue"] = np.where(purchase, rng.gamma(2, 40, n).round(2), np.nan)
        if source == "web":
            columns["device_type"] = self._pick(np.array(["desktop", "mobile", "tablet"], dtype=object), n)
            columns["city"] = self._pick(self.cities, n, present=0.7)
        if source == "app":
            columns["os"] = np.where(person % 3 == 0, "android", "ios").astype(object)
            columns["latitude"] = (40 + person % 50 * 0.1 + rng.normal(0, 0.02, n)).round(4)
            columns["longitude"] = (-74 + person % 70 * 0.1 + rng.normal(0, 0.02, n)).round(4)
        if source in ("store", "pos"):
            columns["store_id"] = self.stores[(person + rng.integers(0, 2, n)) % STORES]
        if source == "pos":
            columns["transaction_id"] = _names("t-", n) if n else np.empty(0, dtype=object)
            columns["line_no"] = np.ones(n, dtype=np.int64)
            columns["amount"] = np.where(rng.random(n) < 0.05, -1, 1) * rng.gamma(2, 30, n).round(2)
        if source == "service":
            columns["channel"] = self._pick(np.array(["phone", "chat", "email", "social"], dtype=object), n)
            columns["sentiment"] = rng.uniform(-1, 1, n).round(2)
            columns["csat"] = rng.integers(1, 6, n)
            columns["resolved"] = rng.random(n) < 0.8
        if source == "preferences":
            choice = np.array([True, False, None], dtype=object)
            for consent in (
                "consent_email",
                "consent_push",
                "consent_sms",
                "consent_location",
                "consent_personalization",
            ):
                columns[consent] = choice[rng.choice(3, n, p=[0.5, 0.2, 0.3])]
            columns["preferred_channel"] = self._pick(
                np.array(["email", "push", "sms", "none"], dtype=object), n, 0.8
            )
            columns["interests"] = np.where(rng.random(n) < 0.5, "footwear;kitchen", None)
        return columns

    def _roster(self, source: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        person = np.flatnonzero(self.rng.random(self.persons) < ROSTER_SHARE[source])
        updated = self._times(len(person))
        started = (
            pd.DatetimeIndex(updated) - pd.to_timedelta(self.rng.integers(0, 900, len(person)), unit="D")
        ).to_numpy()
        start_column = "joined_at" if source == "loyalty" else "created_at"
        return person, {"updated_at": updated, start_column: started}

    def frame(self, source: str) -> tuple[pd.DataFrame, np.ndarray]:
        """The source's typed frame (every contract column) and the person of each row."""
        schema = SOURCES[source]
        if schema.roster:
            person, columns = self._roster(source)
        else:
            person = self._people(ROWS_PER_PERSON_60D.get(source, 0.0))
            columns = self._columns(source, person)
        n = len(person)
        key = schema.key[0]
        columns.setdefault(key, _names(f"{source}-", n))
        data = {
            c: typed(pd.Series(columns[c] if c in columns else np.full(n, None, dtype=object)), c)
            for c in schema.columns
        }
        frame = pd.DataFrame(data)
        frame["record_key"] = (
            (frame["transaction_id"] + ":1").to_numpy() if source == "pos" else frame[key].to_numpy()
        )
        frame["source_path"] = f"{source}/2026-01-01.csv"
        frame["source_row"] = pd.array(np.arange(1, n + 1), dtype="Int64")
        return frame, person


def synthetic_inputs(
    persons: int, days: int, seed: int
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame]:
    """Frames of every source, `record_customers` (each record to its person), `customers`."""
    synthesiser = Synthesiser(persons, days, seed)
    frames, owners = {}, []
    for source in SOURCES:
        if source == "erasure":
            continue
        frame, person = synthesiser.frame(source)
        frames[source] = frame
        owners.append(
            pd.DataFrame(
                {
                    "source": source,
                    "record_key": frame["record_key"],
                    "customer_id": synthesiser.customer_ids[person],
                }
            )
        )
    customers = pd.DataFrame(
        {"customer_id": synthesiser.customer_ids, "is_known": synthesiser.rng.random(persons) < 0.7}
    )
    return frames, pd.concat(owners, ignore_index=True), customers


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also trace the peak of allocations (slower)"
    )
    args = parser.parse_args()

    started = time.perf_counter()
    frames, record_customers, customers = synthetic_inputs(args.persons, args.days, args.seed)
    as_of = START + pd.Timedelta(days=args.days)
    rows = {source: len(frame) for source, frame in frames.items()}
    print(
        f"synthesised {sum(rows.values()):,} rows in {time.perf_counter() - started:.1f}s: "
        + ", ".join(f"{s} {n:,}" for s, n in rows.items())
    )

    before = _rss_mb()
    if args.tracemalloc:
        tracemalloc.start()
    started = time.perf_counter()
    signals = compute_signals(frames, record_customers, as_of)
    computed = time.perf_counter()
    profile = build_profile(customers, signals, frames, record_customers, as_of)
    finished = time.perf_counter()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"compute_signals {computed - started:.1f}s, build_profile {finished - computed:.1f}s, "
        f"total {finished - started:.1f}s for {len(profile):,} profiles x {profile.shape[1]} columns"
    )
    print(
        f"resident memory: {before:,.0f} MB with the frames, "
        f"peak {peak_rss:,.0f} MB (+{peak_rss - before:,.0f} MB)"
    )
    if args.tracemalloc:
        print(f"traced allocations peak: {tracemalloc.get_traced_memory()[1] / 2**20:,.0f} MB")


if __name__ == "__main__":
    main()
