"""Next-best actions: only high intent, only with consent, the product of strongest
cross-channel intent, in words."""

from __future__ import annotations

import pandas as pd
import pytest

from xsignals_dagster.intent import most_popular_offers, next_best_actions, offer_hits

CUSTOMERS = [
    "shoe_fan",
    "no_personalization",
    "push_refused",
    "no_channel",
    "unknown_consent",
    "low_intent",
    "category_only",
]


@pytest.fixture
def scores():
    return pd.DataFrame(
        {"customer_id": CUSTOMERS, "bucket": ["high", "high", "high", "high", "high", "low", "high"]}
    )


@pytest.fixture
def profile():
    return pd.DataFrame(
        {
            "journey_top_product": ["shoe-42", "shoe-42", "bag-7", "coat-1", "hat-3", "shoe-42", ""],
            "journey_top_product_channels": [
                "web,store",
                "web",
                ["app", "web", "store"],
                "store",
                "web",
                "web",
                None,
            ],
            "behavioral_top_category_90d": ["shoes", "shoes", "bags", "coats", "hats", "shoes", "scarves"],
        },
        index=pd.Index(CUSTOMERS, name="customer_id"),
    )


@pytest.fixture
def consent():
    return pd.DataFrame(
        {
            "customer_id": CUSTOMERS,
            "consent_email": [True, True, True, False, None, True, False],
            "consent_push": [True, True, False, False, None, True, False],
            "consent_sms": [False, True, True, False, None, True, True],
            "consent_location": [False] * 7,
            "consent_personalization": [True, False, True, True, None, True, True],
            "preferred_channel": ["push", "email", "push", "email", "push", "email", None],
        }
    )


def test_actions_respect_intent_and_every_consent(scores, profile, consent):
    actions = next_best_actions(scores, profile, consent).set_index("customer_id")
    assert list(actions.reset_index().columns) == [
        "customer_id",
        "product_id",
        "category",
        "channel",
        "reason",
    ]
    # no personalisation consent, no channel consented, consent unknown, low intent: nothing
    assert set(actions.index) == {"shoe_fan", "push_refused", "category_only"}
    assert actions.loc["shoe_fan", "channel"] == "push"  # preferred and consented
    assert (
        actions.loc["push_refused", "channel"] == "email"
    )  # preferred push refused: another consented channel
    assert actions.loc["category_only", "channel"] == "sms"  # the only consented one


def test_the_offer_is_the_product_of_strongest_cross_channel_intent_in_words(scores, profile, consent):
    actions = next_best_actions(scores, profile, consent).set_index("customer_id")
    shoe = actions.loc["shoe_fan"]
    assert (shoe["product_id"], shoe["category"]) == ("shoe-42", "shoes")
    assert (
        shoe["reason"]
        == "viewed online and tried on in store; offer on exactly this product in the app (push)"
    )
    assert actions.loc["push_refused", "reason"] == (
        "viewed in the app, viewed online and tried on in store; offer on exactly this product by email"
    )
    category = actions.loc["category_only"]
    assert pd.isna(category["product_id"]) and category["category"] == "scarves"
    assert category["reason"] == "strongest interest in scarves; offer on scarves by SMS"


def test_buckets_and_column_names_are_parameters(scores, profile, consent):
    renamed = profile.rename(columns={"journey_top_product": "top_sku"})
    indexed = consent.set_index("customer_id")
    warm = scores.assign(bucket=["high", "high", "medium", "high", "high", "low", "medium"])
    actions = next_best_actions(warm, renamed, indexed, product_column="top_sku")
    assert actions["customer_id"].tolist() == ["shoe_fan"]
    assert actions["product_id"].tolist() == ["shoe-42"]


def test_an_offer_is_taken_up_when_the_offered_product_or_category_is_bought(scores, profile, consent):
    actions = next_best_actions(scores, profile, consent)
    holdout = pd.DataFrame(
        {
            "customer_id": ["shoe_fan", "push_refused", "category_only"],
            "product_id": ["shoe-42", "shoe-42", "scarf-9"],
            "category": ["shoes", "shoes", "scarves"],
        }
    )  # push_refused bought something else than the bag offered
    hits = offer_hits(actions, holdout)
    assert dict(zip(actions["customer_id"], hits, strict=False)) == {
        "shoe_fan": True,
        "push_refused": False,
        "category_only": True,
    }
    assert hits.mean() == pytest.approx(2 / 3)
    assert len(offer_hits(actions.iloc[:0], holdout)) == 0


def test_most_popular_product_is_the_baseline_offer(scores, profile, consent):
    actions = next_best_actions(scores, profile, consent)
    history = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "product_id": ["shoe-42", "bag-7", "bag-7", None],
            "category": ["shoes", "bags", "bags", "hats"],
        }
    )
    baseline = most_popular_offers(actions, history)
    assert set(baseline["product_id"]) == {"bag-7"} and set(baseline["category"]) == {"bags"}
    assert baseline["channel"].tolist() == actions["channel"].tolist()
    holdout = pd.DataFrame({"customer_id": ["push_refused"], "product_id": ["bag-7"], "category": ["bags"]})
    assert offer_hits(baseline, holdout).mean() == pytest.approx(1 / 3)
