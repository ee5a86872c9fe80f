"""Person records: rows that carry a name, normalised for fuzzy matching.

Accounts, loyalty members and service contacts (any frame with a name column)
say who someone is. Their fields are normalised here once - case, accents,
punctuation, street abbreviations, nicknames - and the blocking keys that
decide which records are compared are derived from them.
"""

from __future__ import annotations

from collections.abc import Mapping

import jellyfish
import numpy as np
import pandas as pd

from xsignals_dagster.contract.vocabularies import PERSON_COLUMNS

from .identifiers import IdentifierTable, junk_identifiers
from .nicknames import formal_first_names
from .settings import IdentitySettings

NAME_COLUMNS = ("first_name", "last_name")

# Columns a blocking pass may use.
BLOCKING_COLUMNS = (
    "first_name",
    "first_initial",
    "last_name",
    "name_phonetic",
    "birth_date_key",
    "street_name",
    "street_number",
    "city",
    "postcode",
    "phone",
    "email_local",
)

STREET_ABBREVIATIONS = {
    "st": "street",
    "str": "street",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "dr": "drive",
    "ln": "lane",
    "ct": "court",
    "crt": "court",
    "pl": "place",
    "blvd": "boulevard",
    "hwy": "highway",
    "cres": "crescent",
    "cr": "crescent",
    "tce": "terrace",
    "terr": "terrace",
    "pde": "parade",
    "sq": "square",
    "cl": "close",
    "pkwy": "parkway",
    "cir": "circuit",
    "mt": "mount",
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
    "apt": "apartment",
}


def person_records(
    frames: Mapping[str, pd.DataFrame], table: IdentifierTable, settings: IdentitySettings
) -> pd.DataFrame:
    """One row per record with a first or last name; ``record`` is its record number.

    Columns: record, source, the normalised PERSON_COLUMNS (date_of_birth as a
    YYYYMMDD string), street_number, street_name, email_key (the mailbox without
    dots and +tags) and the BLOCKING_COLUMNS. The index is 0..n-1 (a person's
    position).
    """
    parts = []
    for source in sorted(frames):
        frame = frames[source]
        if not any(column in frame.columns for column in NAME_COLUMNS):
            continue
        raw = frame.reindex(columns=PERSON_COLUMNS).astype(object)
        named = raw[list(NAME_COLUMNS)].notna().any(axis=1).to_numpy()
        part = raw[named].reset_index(drop=True)
        part.insert(0, "source", source)
        part.insert(0, "record", table.record_numbers(source)[named])
        parts.append(part)
    if not parts:
        return _normalise(pd.DataFrame(columns=["record", "source", *PERSON_COLUMNS]), settings)
    return _normalise(pd.concat(parts, ignore_index=True), settings)


def _normalise(raw: pd.DataFrame, settings: IdentitySettings) -> pd.DataFrame:
    persons = pd.DataFrame({"record": raw["record"].astype(np.int64), "source": raw["source"].astype(str)})
    persons["first_name"] = _clean_name(raw["first_name"], settings)
    persons["last_name"] = _clean_name(raw["last_name"], settings)
    persons["date_of_birth"] = _birth_dates(raw["date_of_birth"], settings)
    street = _clean_text(raw["street"], settings).str.replace(
        r"\b(" + "|".join(STREET_ABBREVIATIONS) + r")\b",
        lambda m: STREET_ABBREVIATIONS[m.group(1)],
        regex=True,
    )
    persons["street"] = street
    persons["street_number"] = street.str.extract(r"^(\d+[a-z]?)\b", expand=False)
    persons["street_name"] = street.str.replace(r"^\d+[a-z]?\b\s*", "", regex=True).replace("", pd.NA)
    persons["city"] = _clean_text(raw["city"], settings)
    persons["postcode"] = _clean_text(raw["postcode"], settings).str.replace(" ", "", regex=False).str.upper()
    persons["state"] = _clean_text(raw["state"], settings)
    persons["email"] = _valid_identifier(raw["email"], "email", settings).str.lower()
    # The mailbox as people mistype it least: no dots or +tags in the local part.
    persons["email_local"] = (
        persons["email"].str.split("@").str[0].str.replace(r"\+.*$|\.", "", regex=True).replace("", pd.NA)
    )
    persons["email_key"] = persons["email_local"] + "@" + persons["email"].str.split("@").str[-1]
    persons["phone"] = _valid_identifier(raw["phone"], "phone", settings)
    persons["first_initial"] = persons["first_name"].str[0]
    persons["name_phonetic"] = _name_phonetic(persons["first_name"], persons["last_name"])
    dob = persons["date_of_birth"]
    persons["birth_date_key"] = _sorted_join(dob.str[:4], dob.str[4:6], dob.str[6:8])
    named = persons["first_name"].notna() | persons["last_name"].notna()
    return (
        persons[named].reset_index(drop=True).astype({c: "string" for c in persons.columns if c != "record"})
    )


def _clean_text(values: pd.Series, settings: IdentitySettings) -> pd.Series:
    """Lower-case ASCII words separated by single spaces; junk placeholders become NA."""
    text = (
        values.astype("string")
        .str.normalize("NFKD")
        .str.replace(r"[^\x00-\x7f]", "", regex=True)
        .str.lower()
        .str.replace(r"['\u2019`]", "", regex=True)
        .str.replace(r"[^a-z0-9]+", " ", regex=True)
        .str.strip()
    )
    return text.mask(text.isin(settings.junk_values) | (text == ""))


def _clean_name(values: pd.Series, settings: IdentitySettings) -> pd.Series:
    """A name as lower-case letters and spaces (O'Brien -> obrien, Smith-Jones -> smith jones)."""
    name = _clean_text(values, settings).str.replace(r"[^a-z ]+", "", regex=True).str.strip()
    return name.mask(name == "")


def _birth_dates(values: pd.Series, settings: IdentitySettings) -> pd.Series:
    text = pd.to_datetime(values, errors="coerce").dt.strftime("%Y%m%d").astype("string")
    return text.mask(text.isin([day.replace("-", "") for day in settings.placeholder_birth_dates]))


def _valid_identifier(values: pd.Series, id_type: str, settings: IdentitySettings) -> pd.Series:
    """The value as the identifier graph sees it: stripped, NA when missing or junk."""
    text = values.astype("string").str.strip()
    junk = junk_identifiers(pd.Series(id_type, index=text.index), text.fillna(""), settings)
    return text.mask(junk | text.isna().to_numpy())


def _name_phonetic(first: pd.Series, last: pd.Series) -> pd.Series:
    """NYSIIS of the formal first name and of the surname, in sorted order so swaps collide."""
    codes = {
        name: jellyfish.nysiis(name)
        for name in pd.concat([formal_first_names(first), last]).dropna().unique()
    }
    return _sorted_join(None, formal_first_names(first).map(codes), last.map(codes))


def _sorted_join(head: pd.Series | None, a: pd.Series, b: pd.Series) -> pd.Series:
    """head + the two parts in sorted order, NA when any part is missing: a key that ignores swaps."""
    a, b = a.astype("string"), b.astype("string")
    a_first = (a.fillna("") <= b.fillna("")).to_numpy()
    low, high = a.where(a_first, b), b.where(a_first, a)
    key = low + " " + high
    return key if head is None else head.astype("string") + " " + key
