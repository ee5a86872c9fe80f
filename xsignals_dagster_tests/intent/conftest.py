"""One trained model on known probabilities, shared by the intent tests."""

from __future__ import annotations

import pytest

from xsignals_dagster.intent import IntentSettings, train_intent_model
from xsignals_dagster_tests.intent.synthetic import known_probability_world

HORIZON_DAYS = 14


WORLD = {"n_customers": 6_000, "horizon_days": HORIZON_DAYS, "seed": 7}


@pytest.fixture(scope="session")
def world():
    """(training_set, purchases, true probability per row): 6,000 customers, 4 snapshots."""
    return known_probability_world(n_snapshots=4, **WORLD)


@pytest.fixture(scope="session")
def trained(world):
    training_set, purchases, _ = world
    return train_intent_model(training_set, None, purchases, HORIZON_DAYS, IntentSettings())


@pytest.fixture(scope="session")
def evaluation_rows(world):
    """The held-out (newest) snapshot and its true probabilities."""
    training_set, _, truth = world
    newest = (training_set["as_of"] == training_set["as_of"].max()).to_numpy()
    return training_set[newest].reset_index(drop=True), truth[newest]


@pytest.fixture(scope="session")
def unseen_rows():
    """The snapshot after the world's newest and its true probabilities: the same customers
    (the same seed draws the world's four snapshots first) at a date no fit has seen, as the
    served model meets them."""
    training_set, _, truth = known_probability_world(n_snapshots=5, **WORLD)
    newest = (training_set["as_of"] == training_set["as_of"].max()).to_numpy()
    return training_set[newest].reset_index(drop=True), truth[newest]
