"""What tells two people of one household apart: rules over the comparison levels of a pair.

A household shares surname, address, town and postcode, often a landline, a family email, a
tablet. What its members do not share is personal: a first name, a date of birth, their own
mailbox and mobile. So two person records may link only on personal evidence (a first name
alike up to a typo or a nickname, a date of birth alike up to one digit or a day/month swap,
the same email or phone); surname and address alone describe a household, never a person.

Against a match, a first name or a date of birth that clearly differs (not a typo, nickname,
initial or swap) is weighed by the fitted model, whose m for it is bounded
(``fellegi_sunter``), and two such differences rule a pair out. Where both records carry
contact details the retailer knows each member's own mailbox and mobile, so one clear
difference is enough there (Mark and Mary, Frank and Franklin share everything else).

Pairs that share a surname and an address line (``same_household``) are weighed by the model's
household stratum, which learns from the data how often two members of one household agree on a
first name, a birth date, an email or a phone (``fellegi_sunter``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .linkage import COMPARISONS

LEVEL = {c.name: {name: k for k, name in enumerate(c.level_names)} for c in COMPARISONS}
# The least level of each comparison that is personal evidence for one person.
PERSONAL_EVIDENCE = {
    "first_name": LEVEL["first_name"]["close_or_nickname"],
    "birth_date": LEVEL["birth_date"]["one_digit_or_day_month_swap"],
    "email": LEVEL["email"]["exact"],
    "phone": LEVEL["phone"]["one_edit"],
}
# Levels at which a personal field clearly differs.
CLEAR_DIFFERENCE = {
    "first_name": LEVEL["first_name"]["different"],
    "birth_date": LEVEL["birth_date"]["different"],
}
# With contact details on both sides, these levels already say "another member".
CONTACT_CONFLICT_LEVELS = {"first_name": (1,), "birth_date": (1, 2)}
CONTACT_COMPARISONS = ("email", "phone")
# A pair agreeing on these (at least at these levels) shares a home: the household stratum.
HOUSEHOLD = {"last_name": LEVEL["last_name"]["similar"], "street": LEVEL["street"]["same_street"]}


def same_household(levels: pd.DataFrame) -> np.ndarray:
    """True where two records share a surname (up to a typo) and an address line (HOUSEHOLD): members
    of one household or one person, which only personal fields tell apart (see ``fellegi_sunter``)."""
    shared = np.ones(len(levels), bool)
    for name, least in HOUSEHOLD.items():
        shared &= levels[name].to_numpy() >= least
    return shared


def personal_evidence(levels: pd.DataFrame) -> np.ndarray:
    """True where something personal agrees (PERSONAL_EVIDENCE): the pair may be one person."""
    evidence = np.zeros(len(levels), bool)
    for name, least in PERSONAL_EVIDENCE.items():
        evidence |= levels[name].to_numpy() >= least
    return evidence


def clear_differences(levels: pd.DataFrame) -> np.ndarray:
    """How many personal fields clearly differ (0, 1 or 2)."""
    return sum((levels[name].to_numpy() == level).astype(np.int8) for name, level in CLEAR_DIFFERENCE.items())


def conflicts(levels: pd.DataFrame) -> np.ndarray:
    """True where two records name clearly different people (household guard).

    Two clear differences (first name and date of birth); or, where both records carry contact
    details (an email each, or a phone each, equal or not), one: first names or dates of birth that
    disagree (CONTACT_CONFLICT_LEVELS), or first names not the same while neither the emails nor
    the phones are.
    """
    differ = np.zeros(len(levels), bool)
    for name, conflict_levels in CONTACT_CONFLICT_LEVELS.items():
        differ |= levels[name].isin(conflict_levels).to_numpy()
    other_contacts = np.ones(len(levels), bool)
    contact = np.zeros(len(levels), bool)
    for name in CONTACT_COMPARISONS:
        contact |= levels[name].to_numpy() > 0
        other_contacts &= levels[name].to_numpy() == LEVEL[name]["different"]
    first = levels["first_name"].to_numpy()
    differ |= other_contacts & (first > 0) & (first < LEVEL["first_name"]["exact"])
    return (differ & contact) | (clear_differences(levels) >= 2)
