"""pseudopeople's observed data sets landed as two rosters, for the identity benchmark.

pseudopeople simulates a US population (real household structure: partners, children and
flatmates at one address, in one town with one postcode) and observes it through census-,
survey-, tax- and benefit-like forms with realistic noise (typos, nicknames, swapped or
missing fields, day/month swaps, borrowed names). Its bundled sample data needs no network.
Each pairing lands one form as ``loyalty`` and another as ``accounts``, with only what that
form records (never an email or a phone): the situation in which household members can be
told apart by first name and date of birth alone. Truth is pseudopeople's ``simulant_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROSTER_ROWS = 10_000
LANDED_DATE = "2026-01-01"


@dataclass(frozen=True)
class Form:
    """One pseudopeople data set: how to draw it, its date-of-birth format, its address columns' prefix."""

    label: str
    generator: str
    year: int | None
    dob_format: str | None  # None: the form records no date of birth
    address_prefix: str | None  # None: no address; "" census-like; "mailing_address_" tax forms


FORMS = {
    "census": Form("census 2020", "generate_decennial_census", 2020, "%m/%d/%Y", ""),
    "wic": Form("WIC", "generate_women_infants_and_children", None, "%m%d%Y", ""),
    "ssa": Form("social security", "generate_social_security", None, "%Y%m%d", None),
    "1040": Form("1040 2020", "generate_taxes_1040", 2020, None, "mailing_address_"),
    "w2": Form("W2/1099 2020", "generate_taxes_w2_and_1099", 2020, None, "mailing_address_"),
}
# (loyalty form, accounts form): each pairing two different forms.
PAIRINGS = (("census", "1040"), ("wic", "census"), ("ssa", "w2"))


def draw_form(form: Form, seed: int) -> pd.DataFrame:
    """The form's records under this noise seed, at most ROSTER_ROWS of them (a seeded sample)."""
    import pseudopeople as psp

    generate = getattr(psp, form.generator)
    frame = generate(seed=seed) if form.year is None else generate(seed=seed, year=form.year)
    if len(frame) > ROSTER_ROWS:
        frame = frame.sample(ROSTER_ROWS, random_state=seed)
    return frame.reset_index(drop=True)


def landing_frame(frame: pd.DataFrame, form: Form, id_column: str, prefix: str) -> pd.DataFrame:
    """The form's rows as a contract file of ``loyalty`` or ``accounts``: names, date of birth, address."""
    landed = pd.DataFrame(
        {
            id_column: prefix + pd.Series(np.arange(len(frame))).astype(str),
            "updated_at": LANDED_DATE,
            "first_name": frame["first_name"].to_numpy(),
            "last_name": frame["last_name"].to_numpy(),
        }
    )
    if form.dob_format:
        raw = frame["date_of_birth"].astype("string")
        parsed = pd.to_datetime(raw, format=form.dob_format, errors="coerce")
        # an impossible date (07/71/1958) stays as written: ingestion blanks it
        landed["date_of_birth"] = parsed.dt.strftime("%Y-%m-%d").where(parsed.notna(), raw).to_numpy()
    if form.address_prefix is not None:
        p = form.address_prefix
        number, street = (
            frame[f"{p}street_number"].astype("string"),
            frame[f"{p}street_name"].astype("string"),
        )
        unit = frame[f"{p}unit_number"].astype("string")
        written = (number.fillna("") + " " + street.fillna("") + (" " + unit).fillna("")).str.strip()
        landed["street"] = written.mask(written == "").to_numpy()
        landed["city"] = frame[f"{p}city"].to_numpy()
        landed["postcode"] = frame[f"{p}zipcode"].to_numpy()
        landed["state"] = frame[f"{p}state"].to_numpy()
    return landed


def land_pairing(folder: Path, loyalty: str, accounts: str, seed: int) -> pd.Series:
    """Write the two rosters under folder/landing; return the truth ("source/record_key" -> simulant)."""
    truth = []
    for source, name, id_column in (("loyalty", loyalty, "loyalty_id"), ("accounts", accounts, "account_id")):
        form = FORMS[name]
        frame = draw_form(form, seed)
        landed = landing_frame(frame, form, id_column, prefix=f"{name}-")
        (folder / "landing" / source).mkdir(parents=True, exist_ok=True)
        landed.to_csv(folder / "landing" / source / f"{LANDED_DATE}.csv", index=False)
        truth.append(pd.Series(frame["simulant_id"].to_numpy(), index=f"{source}/" + landed[id_column]))
    return pd.concat(truth)
