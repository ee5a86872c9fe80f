"""`contextual_` signals: devices, stores, times of day, and — only with consent — locations.

Columns, over all history up to as_of:

- `contextual_web_<desktop|mobile|tablet>_share`, `contextual_app_<ios|android>_share`
  (float): share of the customer's web events per device type, app events per OS (among
  events where it is known).
- `contextual_distinct_stores` (int), `contextual_favourite_store` (str): stores of store
  interactions and sales; the favourite is the one visited on most days.
- `contextual_<night|morning|afternoon|evening>_share` (hours 0-5, 6-11, 12-17, 18-23
  UTC) and `contextual_weekend_share` (float) of the customer's own activity.
- Location-derived, NA unless the customer consented to location as of as_of
  (`privacy.consent`): `contextual_distinct_cities` (Int64) and `contextual_top_city`
  (str) from the web `city`; `contextual_distinct_locations` (Int64): distinct app
  positions rounded to 2 decimals of latitude and longitude (about 1 km).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xsignals_dagster.ingest.records import SourceRecords
from xsignals_dagster.signals.aggregate import distinct_count, most_frequent, shares
from xsignals_dagster.signals.events import Touchpoints

DEVICE_MIX = {"web": ("device_type", ("desktop", "mobile", "tablet")), "app": ("os", ("ios", "android"))}
STORE_SOURCES = ("store", "pos")
DAYPARTS = ("night", "morning", "afternoon", "evening")
DAYPART_OF_HOUR = pd.Categorical.from_codes(np.arange(24) // 6, DAYPARTS)
LOCATION_DECIMALS = 2


def device_mix(records: SourceRecords, customers: pd.Index) -> pd.DataFrame:
    return pd.concat(
        [
            shares(records.rows(source, [column]), column, values, customers)
            .add_prefix(f"{source}_")
            .add_suffix("_share")
            for source, (column, values) in DEVICE_MIX.items()
        ],
        axis=1,
    )


def store_habits(records: SourceRecords, customers: pd.Index) -> pd.DataFrame:
    visits = pd.concat(
        [records.rows(source, ["ts", "store_id"]) for source in STORE_SOURCES], ignore_index=True
    )
    visit_days = visits.assign(day=visits["ts"].dt.floor("D")).drop_duplicates(
        ["customer", "store_id", "day"]
    )
    return pd.DataFrame(
        {
            "distinct_stores": distinct_count(visits, ["store_id"], customers),
            "favourite_store": most_frequent(visit_days, "store_id", customers),
        }
    )


def activity_times(activity: pd.DataFrame, customers: pd.Index) -> pd.DataFrame:
    times = pd.DataFrame(
        {
            "customer": activity["customer"],
            "daypart": DAYPART_OF_HOUR.take(activity["ts"].dt.hour.to_numpy()),
            "weekend": activity["ts"].dt.dayofweek.to_numpy() >= 5,
        }
    )
    weekend = times.groupby("customer")["weekend"].mean().reindex(customers)
    return shares(times, "daypart", DAYPARTS, customers).add_suffix("_share").assign(weekend_share=weekend)


def locations(records: SourceRecords, customers: pd.Index, consented: pd.Series) -> pd.DataFrame:
    """The location-derived columns, NA for every customer without location consent (whose
    location data is not even read)."""
    consenting = consented.index[consented.to_numpy()]
    web, app = (
        rows[rows["customer"].isin(consenting).to_numpy()]
        for rows in (records.rows("web", ["ts", "city"]), records.rows("app", ["latitude", "longitude"]))
    )
    app = app.round(LOCATION_DECIMALS)
    derived = {
        "distinct_cities": distinct_count(web, ["city"], customers).astype("Int64"),
        "top_city": most_frequent(web, "city", customers),
        "distinct_locations": distinct_count(app, ["latitude", "longitude"], customers).astype("Int64"),
    }
    return pd.DataFrame({name: values.where(consented) for name, values in derived.items()})


def contextual_signals(touchpoints: Touchpoints) -> pd.DataFrame:
    """The `contextual_` columns (module docstring), one row per customer."""
    records, customers = touchpoints.records, touchpoints.customers
    signals = pd.concat(
        [
            device_mix(records, customers),
            store_habits(records, customers),
            activity_times(touchpoints.activity, customers),
            locations(records, customers, touchpoints.consent["consent_location"]),
        ],
        axis=1,
    )
    return signals.add_prefix("contextual_")
