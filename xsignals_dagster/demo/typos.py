"""Noise in what people type: misspelt names, phones written in many styles, retyped emails, streets
written out in several ways.

Forms and staff never type an identifier the same way twice, so identity resolution has to match
identifiers in their normal forms and must not rely on exact text.
"""

from __future__ import annotations

import re

import numpy as np

from xsignals_dagster.demo.draws import pick
from xsignals_dagster.demo.reference import PHONE_STYLE_WEIGHTS, PHONE_STYLES, STREET_SUFFIXES


def ascii_letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def misspell(word: str, where: float, how: float, letter: float) -> str:
    """One typing slip after the first letter that always changes the word: two letters swapped,
    one mistyped or one dropped."""
    if len(word) < 3:
        return word
    i = 1 + int(where * (len(word) - 2))
    kind = int(how * 3)
    if kind == 0 and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        others = "abcdefghijklmnopqrstuvwxyz".replace(word[i].lower(), "")
        replacement = others[int(letter * len(others))]
        return word[:i] + (replacement.upper() if word[i].isupper() else replacement) + word[i + 1 :]
    return word[:i] + word[i + 1 :]


def write_phones(rng: np.random.Generator, national: np.ndarray) -> np.ndarray:
    """National 10-digit numbers written the many ways people write them; None stays None."""
    styles = pick(rng, PHONE_STYLE_WEIGHTS, len(national))
    return np.array(
        [
            None if number is None else PHONE_STYLES[style].format(a=number[:3], e=number[3:6], n=number[6:])
            for number, style in zip(national, styles, strict=False)
        ],
        dtype=object,
    )


def retype_emails(rng: np.random.Generator, emails: np.ndarray) -> np.ndarray:
    """Emails as typed into forms: mostly as is, some capitalised, shouted or padded with spaces."""
    u = rng.random(len(emails))
    return np.array(
        [
            None
            if email is None
            else email.title()
            if x < 0.08
            else email.upper()
            if x < 0.11
            else f" {email} "
            if x < 0.15
            else email
            for email, x in zip(emails, u, strict=False)
        ],
        dtype=object,
    )


def written_street(number: int, name: str, suffix: int, unit: str, style: float) -> str:
    """A street line as one system writes it: St, Street or St., now and then in capitals."""
    short, long = STREET_SUFFIXES[suffix]
    suffix_text = long if style < 0.2 else short + "." if style < 0.3 else short
    street = f"{number} {name} {suffix_text}" + (f" Apt {unit}" if unit else "")
    return street.upper() if style > 0.92 else street
