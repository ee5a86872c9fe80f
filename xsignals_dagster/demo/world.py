"""The frame every channel draws on: the calendar of landed and holdout days, the product catalogue,
the stores, and the World that holds the simulated customers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xsignals_dagster.demo.draws import device_ids, numbered, pick_per_row
from xsignals_dagster.demo.reference import CATEGORIES, CITIES, ONE_DAY


@dataclass(frozen=True)
class Calendar:
    """Day d is the local business date start + d; days before `days` are landed, the rest are the holdout."""

    start: dt.date
    days: int
    horizon: int

    @property
    def total_days(self) -> int:
        return self.days + self.horizon

    @property
    def start_epoch(self) -> int:
        return (self.start - dt.date(1970, 1, 1)).days * ONE_DAY

    def weekdays(self) -> np.ndarray:
        return (np.arange(self.total_days) + self.start.weekday()) % 7

    def utc(self, day, seconds, offset) -> np.ndarray:
        """UTC epoch seconds of a local time on day `day` in a zone `offset` hours from UTC."""
        return (
            self.start_epoch + np.asarray(day, dtype=np.int64) * ONE_DAY + seconds - np.asarray(offset) * 3600
        )

    def day_of(self, utc, offset) -> np.ndarray:
        return (np.asarray(utc) + np.asarray(offset) * 3600 - self.start_epoch) // ONE_DAY

    def dates(self, day) -> np.ndarray:
        return np.datetime_as_string(
            np.datetime64(self.start) + np.asarray(day).astype("timedelta64[D]"), unit="D"
        )


@dataclass(frozen=True)
class Catalog:
    """Products grouped by category, with prices and a heavy-tailed popularity."""

    product_id: np.ndarray
    category: np.ndarray
    price: np.ndarray
    cumulative: np.ndarray  # cumulative popularity share in product order
    first: np.ndarray  # first product of each category
    last: np.ndarray  # last product of each category

    @classmethod
    def build(cls, rng: np.random.Generator) -> Catalog:
        counts = CATEGORIES["products"].to_numpy()
        category = np.repeat(np.arange(len(counts)), counts)
        n = len(category)
        price = np.floor(CATEGORIES["median_price"].to_numpy()[category] * rng.lognormal(0, 0.35, n)) + 0.99
        within = rng.pareto(1.2, n) + 0.05
        within /= np.bincount(category, weights=within)[category]
        popularity = within * CATEGORIES["popularity"].to_numpy()[category]
        cumulative = np.cumsum(popularity) / popularity.sum()
        last = np.cumsum(counts) - 1
        return cls(
            product_id=numbered("SKU", rng.choice(90_000, n, replace=False) + 10_000, 5),
            category=category,
            price=np.round(price, 2),
            cumulative=cumulative,
            first=last - counts + 1,
            last=last,
        )

    def in_category(self, rng: np.random.Generator, categories: np.ndarray) -> np.ndarray:
        """A product of each given category, popular ones more often."""
        low = np.where(self.first[categories] > 0, self.cumulative[self.first[categories] - 1], 0.0)
        high = self.cumulative[self.last[categories]]
        drawn = np.searchsorted(
            self.cumulative, low + rng.random(len(categories)) * (high - low), side="right"
        )
        return np.clip(drawn, self.first[categories], self.last[categories])


def build_stores(rng: np.random.Generator) -> pd.DataFrame:
    """Stores in the bigger cities, each with an in-store kiosk tablet that many shoppers use."""
    city = np.repeat(np.arange(len(CITIES)), CITIES["stores"])
    return pd.DataFrame(
        {
            "store_id": numbered("store", np.arange(1, len(city) + 1), 3),
            "city": city,
            "offset": CITIES["utc_offset"].to_numpy()[city],
            "kiosk": device_ids(rng, np.zeros(len(city), dtype=bool)),
        }
    )


@dataclass
class World:
    """Everything about the simulated customers that the channels draw on."""

    cal: Calendar
    catalog: Catalog
    stores: pd.DataFrame
    households: pd.DataFrame
    people: pd.DataFrame  # one row per person, indexed 0 … persons-1
    cookies: pd.DataFrame  # person, cookie_id, device_type; sorted by person, primary first
    devices: pd.DataFrame  # person, device_id, os, logged_in, personal
    tokens: pd.DataFrame  # person, payment_token
    affinity: np.ndarray  # persons x categories, row-wise cumulative
    channel_preference: np.ndarray  # persons x (web, app, store), row-wise cumulative

    def column(self, name: str) -> np.ndarray:
        return self.people[name].to_numpy()

    def interests(
        self,
        rng: np.random.Generator,
        person: np.ndarray,
        focus: np.ndarray,
        category_share: float,
        product_share: float,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(category, product) a person looks at: their in-market focus first, else their usual tastes."""
        category = pick_per_row(rng, self.affinity[person])
        focused = (focus >= 0) & (rng.random(len(person)) < category_share)
        category = np.where(focused, self.catalog.category[np.maximum(focus, 0)], category)
        product = self.catalog.in_category(rng, category)
        product = np.where(focused & (rng.random(len(person)) < product_share), focus, product)
        return category, product
