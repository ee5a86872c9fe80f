"""Hidden purchase intent and the purchases it leads to.

Each person drifts in and out of "in-market" episodes for one product; being in market raises activity on
every channel and the chance of buying. The state stays hidden: only its signals land.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xsignals_dagster.demo.draws import pick_per_row, seconds_of_day
from xsignals_dagster.demo.reference import CHANNELS, STAY_IN_MARKET_AFTER_PURCHASE
from xsignals_dagster.demo.world import World


@dataclass(frozen=True)
class Intent:
    """Each person's hidden path over the landed days and the holdout (arrays are persons x days)."""

    in_market: np.ndarray  # in an in-market episode that day
    focus: np.ndarray  # the product the episode is about, -1 outside one
    purchased: np.ndarray  # bought something that day, on any channel
    streak_at_end: np.ndarray  # days the episode had lasted on the last landed day (0: not in market)
    p_holdout: np.ndarray  # true chance of a purchase on the holdout days, given the state at the end


def holdout_probability(p_in_market: np.ndarray, people: pd.DataFrame, horizon: int) -> np.ndarray:
    """Chance of at least one purchase over `horizon` days, from the chance of being in market on
    the first."""
    entry, stay = people["entry"].to_numpy(), people["persistence"].to_numpy()
    buy_in, buy_out = people["buy_in_market"].to_numpy(), people["buy_baseline"].to_numpy()
    in_market, out_of_market = p_in_market, 1 - p_in_market
    for _ in range(horizon):  # carry only the paths with no purchase yet
        in_no_buy, out_no_buy = in_market * (1 - buy_in), out_of_market * (1 - buy_out)
        in_market = in_no_buy * stay + out_no_buy * entry
        out_of_market = in_no_buy * (1 - stay) + out_no_buy * (1 - entry)
    return 1 - (in_market + out_of_market)


def simulate_intent(rng: np.random.Generator, world: World) -> Intent:
    """A two-state chain per person: out of market, or in market for one product until it ends or they buy."""
    cal, people = world.cal, world.people
    n, total = len(people), cal.total_days
    entry, stay = people["entry"].to_numpy(), people["persistence"].to_numpy()
    buy_in, buy_out = people["buy_in_market"].to_numpy(), people["buy_baseline"].to_numpy()

    def new_focus(who: np.ndarray) -> np.ndarray:
        return world.interests(rng, who, np.full(len(who), -1), 0.0, 0.0)[1]

    in_market = np.zeros((n, total), dtype=bool)
    focus = np.full((n, total), -1, dtype=np.int32)
    purchased = np.zeros((n, total), dtype=bool)
    state = rng.random(n) < entry / (entry + 1 - stay)  # start in the chain's steady state
    current = np.where(state, new_focus(np.arange(n)), -1)
    streak = state.astype(int)
    for day in range(total):
        in_market[:, day], focus[:, day] = state, current
        buy = rng.random(n) < np.where(state, buy_in, buy_out)
        purchased[:, day] = buy
        p_next = np.where(state, stay * np.where(buy, STAY_IN_MARKET_AFTER_PURCHASE, 1.0), entry)
        if day == cal.days - 1:
            p_in_market_after_end, streak_at_end = p_next, streak
        following = rng.random(n) < p_next
        entering = np.flatnonzero(following & ~state)
        current = np.where(following, current, -1)
        current[entering] = new_focus(entering)
        streak = np.where(following, streak + 1, 0)
        state = following
    return Intent(
        in_market,
        focus,
        purchased,
        streak_at_end,
        holdout_probability(p_in_market_after_end, people, cal.horizon),
    )


def build_orders(rng: np.random.Generator, world: World, intent: Intent) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every purchase, landed days and holdout alike: orders (in time order) and their lines."""
    cal, catalog = world.cal, world.catalog
    person, day = np.nonzero(intent.purchased)
    n = len(person)
    channel = pick_per_row(rng, world.channel_preference[person])
    _, main = world.interests(rng, person, intent.focus[person, day], 1.0, 0.7)
    seconds = np.select(
        [channel == 2, channel == 1],
        [seconds_of_day(rng, "store", n), seconds_of_day(rng, "app", n)],
        seconds_of_day(rng, "web", n),
    )
    store = np.where(
        rng.random(n) < 0.85, world.column("home_store")[person], rng.integers(0, len(world.stores), n)
    )
    offset = np.where(channel == 2, world.stores["offset"].to_numpy()[store], world.column("offset")[person])
    utc = cal.utc(day, seconds, offset)
    orders = (
        pd.DataFrame(
            {
                "person": person,
                "day": day,
                "channel": np.array(CHANNELS)[channel],
                "seconds": seconds,
                "utc": utc,
                "offset": offset,
                "store": store,
                "product": main,
                "in_market": intent.in_market[person, day],
            }
        )
        .iloc[np.lexsort((utc, day))]
        .reset_index(drop=True)
    )

    extra = rng.poisson(0.45, n)
    order = np.r_[np.arange(n), np.repeat(np.arange(n), extra)]
    _, extra_products = world.interests(
        rng, orders["person"].to_numpy()[order[n:]], np.full(extra.sum(), -1), 0.0, 0.0
    )
    product = np.r_[orders["product"].to_numpy(), extra_products]
    quantity = 1 + (rng.random(len(order)) > 0.9) + (rng.random(len(order)) > 0.98)
    lines = pd.DataFrame(
        {"order": order, "product": product, "quantity": quantity, "unit_price": catalog.price[product]}
    ).sort_values("order", kind="stable", ignore_index=True)
    lines["amount"] = np.round(lines["quantity"] * lines["unit_price"], 2)
    orders["revenue"] = np.round(np.bincount(lines["order"], weights=lines["amount"], minlength=n), 2)
    return orders, lines
