"""Normal forms of the touchpoint identifiers (CONTRACT §1, Identifiers).

Each function maps a Series of trimmed strings (NA for empty) to its normal form, with
NA where a value cannot be normalised; callers count those as malformed.
"""

from __future__ import annotations

import functools
import re

import pandas as pd
import phonenumbers

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normal_email(values: pd.Series) -> pd.Series:
    """Trimmed and lower-cased; NA where the value is not an address."""
    lowered = values.str.lower()
    return lowered.where(lowered.str.match(_EMAIL).eq(True))


@functools.lru_cache(maxsize=1 << 16)
def _e164_digits(raw: str, region: str) -> str | None:
    """Cached: the same people's numbers come back in every source and extract date."""
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:]


def normal_phone(values: pd.Series, region: str) -> pd.Series:
    """E.164 digits without `+`; numbers without `+`/`00` are national numbers of `region`."""
    present = values.dropna()
    mapping = {raw: _e164_digits(raw, region) for raw in present.unique()}
    return values.map(mapping).astype("object").where(values.notna())


def normal_identifier(column: str, values: pd.Series, region: str) -> pd.Series:
    """The normal form of an identifier column; other identifiers are only trimmed."""
    if column == "email":
        return normal_email(values)
    if column == "phone":
        return normal_phone(values, region)
    return values
