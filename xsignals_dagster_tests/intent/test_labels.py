"""Purchases from the sources, snapshot dates, and training snapshots without leakage."""

from __future__ import annotations

import pandas as pd
import pytest

from xsignals_dagster.intent import build_training_set, purchases_from_frames, snapshot_dates
from xsignals_dagster.intent.labels import MAX_TRAINING_SNAPSHOTS

UTC = "UTC"


def test_purchases_come_from_online_purchase_events_and_store_sale_lines():
    frames = {
        "web": pd.DataFrame(
            {
                "record_key": ["w1", "w2", "w3"],
                "ts": pd.to_datetime(["2026-03-01T10:00", "2026-03-01T10:05", "2026-03-02T09:00"]),
                "event_type": ["product_view", "purchase", "purchase"],
                "order_id": [None, "o1", "o2"],
                "revenue": [None, 120.0, 30.0],
                "product_id": ["shoe-1", "shoe-1", "sock-9"],
                "category": ["shoes", "shoes", "socks"],
            }
        ),
        "app": pd.DataFrame(
            {
                "record_key": ["a1"],
                "ts": pd.to_datetime(["2026-03-03T08:00"]),
                "event_type": ["purchase"],
                "order_id": ["o3"],
                "revenue": [55.5],
                "product_id": [None],
                "category": ["bags"],
            }
        ),
        "pos": pd.DataFrame(
            {
                "record_key": ["t1:1", "t1:2", "t2:1"],
                "transaction_id": ["t1", "t1", "t2"],
                "line_no": [1, 2, 1],
                "ts": pd.to_datetime(["2026-03-04T12:00"] * 2 + ["2026-03-05T12:00"]),
                "amount": [80.0, 20.0, -80.0],
                "product_id": ["shoe-1", "lace-2", "shoe-1"],
                "category": ["shoes", "laces", "shoes"],
            }
        ),
    }
    record_customers = pd.DataFrame(
        {
            "source": ["web", "web", "app", "pos", "pos", "pos"],
            "record_key": ["w1", "w2", "a1", "t1:1", "t1:2", "t2:1"],
            "customer_id": ["ann", "ann", "bob", "ann", "ann", "ann"],
        }
    )  # w3 belongs to nobody
    purchases = purchases_from_frames(frames, record_customers)
    assert list(purchases.columns) == [
        "customer_id",
        "ts",
        "channel",
        "order_id",
        "product_id",
        "category",
        "amount",
    ]
    assert purchases[["customer_id", "channel", "order_id", "product_id", "amount"]].values.tolist() == [
        ["ann", "web", "o1", "shoe-1", 120.0],
        ["bob", "app", "o3", None, 55.5],
        ["ann", "store", "t1", "shoe-1", 80.0],
        ["ann", "store", "t1", "lace-2", 20.0],
    ]  # the page view, the unowned purchase and the return are not purchases
    assert str(purchases["ts"].dt.tz) == UTC


def _days(*dates: str) -> list[pd.Timestamp]:
    return [pd.Timestamp(d) for d in dates]


def test_snapshots_of_a_two_month_history_train_on_closed_label_windows_and_evaluate_on_the_newest():
    dates = snapshot_dates("2026-02-01", "2026-03-31", horizon_days=14)
    # evaluated on 03-17 (its window ends 03-31); trained on the weeks whose windows closed by then
    assert dates == _days("2026-02-10", "2026-02-17", "2026-02-24", "2026-03-03", "2026-03-17")


def test_a_long_horizon_over_a_year_spaces_its_training_snapshots_a_quarter_horizon_apart():
    dates = snapshot_dates("2025-04-01", "2026-03-31", horizon_days=91)
    assert dates == _days("2025-07-23", "2025-08-15", "2025-09-07", "2025-09-30", "2025-12-30")
    assert all(dates[-1] - d >= pd.Timedelta(days=91) for d in dates[:-1])


def test_a_history_of_many_horizons_trains_on_one_snapshot_per_horizon_up_to_the_cap():
    # 30-day horizon over 272 days (nine horizons): the four a quarter horizon apart, then
    # five more twice as far apart, none before the feature window
    dates = snapshot_dates("1997-01-01", "1997-09-30", horizon_days=30)
    assert dates == _days(
        "1997-04-19", "1997-05-05", "1997-05-21", "1997-06-06", "1997-06-22",
        "1997-07-08", "1997-07-16", "1997-07-24", "1997-08-01", "1997-08-31",
    )  # fmt: skip
    assert all(dates[-1] - d >= pd.Timedelta(days=30) for d in dates[:-1])
    # two years of a 14-day horizon: capped at MAX_TRAINING_SNAPSHOTS, the newest evaluated
    long = snapshot_dates("2024-03-31", "2026-03-31", horizon_days=14)
    assert len(long) == MAX_TRAINING_SNAPSHOTS + 1 and long[-1] == pd.Timestamp("2026-03-17")
    assert long[0] == pd.Timestamp("2026-03-03") - pd.Timedelta(days=3 * 7 + 8 * 14)


def test_history_just_short_of_two_horizons_gives_snapshots_within_one_horizon_to_split_by_customer():
    # 182-day horizon over 365 days: no closed label window before the newest complete one
    dates = snapshot_dates("2025-03-31", "2026-03-31", horizon_days=182)
    assert dates == _days("2025-05-15", "2025-06-30", "2025-08-15", "2025-09-30")
    assert dates[-1] - dates[0] < pd.Timedelta(days=182)
    # one day more of history than twice the horizon plus the feature window: out of time
    longer = snapshot_dates("2025-03-23", "2026-03-31", horizon_days=182)
    assert longer[-1] - longer[-2] >= pd.Timedelta(days=182)


def test_history_shorter_than_the_horizon_plus_the_feature_window_gives_no_snapshot():
    assert snapshot_dates("2026-03-10", "2026-03-31", horizon_days=14) == _days("2026-03-17")
    assert snapshot_dates("2026-03-11", "2026-03-31", horizon_days=14) == []  # 21 days, just too short
    assert snapshot_dates("2026-03-30", "2026-03-31", horizon_days=14) == []


def _purchases(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {"customer_id": [c for c, _ in rows], "ts": pd.to_datetime([t for _, t in rows], utc=True)}
    )


def test_label_is_a_purchase_on_the_horizon_days_after_as_of_only():
    as_of, horizon = pd.Timestamp("2026-03-10"), 7
    purchases = _purchases(
        [
            ("same_day", "2026-03-10T23:59:59Z"),  # known at as_of: a feature, not a label
            ("next_day", "2026-03-11T00:00:00Z"),
            ("last_day", "2026-03-17T23:59:59Z"),
            ("after", "2026-03-18T00:00:00Z"),
            ("other_zone", "2026-03-18T01:00:00+02:00"),  # 2026-03-17 23:00 UTC
        ]
    )
    customers = ["same_day", "next_day", "last_day", "after", "other_zone", "never"]

    def features_at(day):
        return pd.DataFrame({"customer_id": customers, "behavioral_anything": 1.0})

    labels = build_training_set(features_at, purchases, [as_of], horizon).set_index("customer_id")[
        "purchased"
    ]
    assert labels.to_dict() == {
        "same_day": 0,
        "next_day": 1,
        "last_day": 1,
        "after": 0,
        "other_zone": 1,
        "never": 0,
    }


def test_features_see_nothing_after_as_of_and_labels_nothing_outside_the_window():
    """`features_at` reports the newest moment it looked at: a training set built on the
    wrong day (or a label window leaking into features) would show it."""
    purchases = _purchases(
        [("ann", f"2026-03-{day:02d}T12:00:00Z") for day in range(1, 29)]
        + [("bob", "2026-03-09T08:00:00Z"), ("bob", "2026-03-20T08:00:00Z")]
    )
    asked = []

    def features_at(as_of: pd.Timestamp) -> pd.DataFrame:
        asked.append(as_of)
        known = purchases[purchases["ts"] < (as_of + pd.Timedelta(days=1)).tz_localize(UTC)]
        per_customer = known.groupby("customer_id")["ts"].agg(["max", "size"])
        return pd.DataFrame(
            {
                "transactional_purchases": per_customer["size"],
                "newest_seen": per_customer["max"].dt.tz_localize(None),
            }
        ).rename_axis("customer_id")

    dates = [pd.Timestamp("2026-03-09"), pd.Timestamp("2026-03-16")]
    training = build_training_set(features_at, purchases, dates, horizon_days=7)

    assert asked == dates
    assert (training["newest_seen"] < training["as_of"] + pd.Timedelta(days=1)).all()
    rows = training.set_index(["customer_id", "as_of"])
    assert rows.loc[("ann", dates[0]), "transactional_purchases"] == 9
    assert rows.loc[("ann", dates[1]), "transactional_purchases"] == 16
    assert rows.loc[("bob", dates[0]), "purchased"] == 0  # next purchase is on day 11 after
    assert rows.loc[("bob", dates[1]), "purchased"] == 1  # 2026-03-20 is within 7 days
    assert rows.loc[("ann", dates[0]), "purchased"] == 1


def test_snapshots_with_other_columns_are_refused():
    columns = iter([["a"], ["b"]])

    def features_at(as_of):
        return pd.DataFrame({"customer_id": ["x"], next(columns)[0]: [1.0]})

    with pytest.raises(ValueError, match="other columns"):
        build_training_set(features_at, _purchases([]), ["2026-03-01", "2026-03-08"], 7)
