"""Tunable knobs of identity resolution, with defaults that suit a retailer's data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# Placeholders that forms, tills and tags write when a value is unknown.
DEFAULT_JUNK_VALUES = frozenset(
    {
        "",
        "null",
        "none",
        "nil",
        "nan",
        "n/a",
        "na",
        "n.a.",
        "-",
        "--",
        "?",
        "0",
        "-1",
        "unknown",
        "undefined",
        "anonymous",
        "guest",
        "test",
        "default",
        "xxx",
        "not provided",
        "not available",
        "noemail",
        "no email",
        "nophone",
    }
)

# Full-match regular expressions (case-insensitive) per identifier type; "*"
# applies to every type.
DEFAULT_JUNK_PATTERNS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "*": (
            r"(.)\1{2,}",  # one character repeated: 000, xxxx, 1111111
            r"[0\-_.\s]+",  # zeros and separators: 0000-0000, 00000000-0000-...
        ),
        "email": (
            r"[^@\s]*",  # no @ at all
            r"(test|testing|noreply|no-reply|no_reply|donotreply|do-not-reply|"
            r"null|none|unknown|nobody|anonymous|dummy|fake|invalid|email|"
            r"noemail|no-email|na|n/a|x+|a+)@.*",
            r".*@(invalid|localhost)(\..*)?",  # reserved, never delivered
        ),
        "phone": (
            r"\d{0,6}",  # too short to be a phone number
            r"\d*?(\d)\1{6,}",  # 0000000, 1 999 999 9999: a digit repeated to the end
            r"\d*(0123456789|1234567890|9876543210)\d*",
        ),
    }
)

DEFAULT_SHARED_LIMITS: Mapping[str, int] = MappingProxyType(
    {
        "account_id": 1,
        "loyalty_id": 1,
        "email": 1,
        "phone": 1,
        "cookie_id": 1,
        "device_id": 1,
        "payment_token": 1,
    }
)

# Per device class (a visit source, with the web's device type): the least share of visits since the
# first signed-in one that must be signed in for the device to count as one person's (devices.py).
# An app stays signed in, so a personal phone is signed in on nearly every later visit; a web browser
# signs in per visit, so only a tablet's, the browser a household shares most, is judged.
DEFAULT_LEAST_SIGNED_IN_SHARE: Mapping[str, float] = MappingProxyType({"app": 0.9, "web tablet": 0.9})

DEFAULT_BLOCKING_PASSES: tuple[tuple[str, ...], ...] = (
    ("last_name", "first_initial"),  # surname
    ("name_phonetic",),  # phonetic surname + first name, order-free (swaps, typos, nicknames)
    ("birth_date_key",),  # date of birth, day/month order-free
    ("phone",),
    ("email_local",),
    # address and name halves, so a typo in one field still leaves a shared key
    ("postcode", "street_name"),
    ("city", "street_name"),
    ("postcode", "street_number"),
    ("first_name", "postcode"),
    ("first_name", "city"),
    ("last_name", "postcode"),
    ("last_name", "city"),
)


@dataclass(frozen=True)
class IdentitySettings:
    """How identity resolution treats junk, shared identifiers and fuzzy matches.

    junk_values / junk_patterns: identifier values that mean "unknown" and are
        dropped before anything is linked (compared lower-cased; patterns are
        full-match regexes per identifier type, "*" for all types). Name and
        address fields of person records are blanked by ``junk_values`` too.
    shared_limits: per identifier type, the most distinct owners a value may be
        seen with before it counts as shared (a family tablet, a store kiosk, a
        household landline, a store's house loyalty card) and links nobody.
        Owners are the people resolved before that type is attached: account
        ids for a loyalty id; people (membership ids plus fuzzy person matches)
        for an email or phone; people known by any of those for a cookie,
        device or payment token. An account id is attached first and has no
        owners, so its limit is never reached.
    least_signed_in_share: per device class ("app", "web tablet", "web desktop", "web mobile"), the
        least share of a device's visits since its first signed-in one that must be signed in; a device
        that one person signs into less often is shared with people who do not sign in (a family
        tablet one member signs into now and then): it joins nobody and its anonymous visits are
        nobody's. A class left out is never judged; an empty mapping turns the rule off. See
        ``devices``.
    visit_gap_minutes: a device's events further apart than this start a new visit (the usual web
        analytics session timeout).
    passive_event_types: events that are not someone using the device (a push it received).
    max_cluster_size: the most membership ids (account and loyalty ids) plus
        distinct person records without one that a merge of people may create;
        a merge that would exceed it is refused, logged and counted as a guard
        violation (cookies and other records attached to one person never count).
    match_threshold: the least Fellegi-Sunter match probability for two person
        records to link; two groups of records join only when the average match
        weight over all their cross pairs clears it too (average linkage), so
        one weak bridge cannot chain two people together.
    household_guard: two person records link only on personal evidence (a
        first name, a date of birth, an email or a phone that agree), never on
        surname and address alone, and two that clearly conflict are never
        linked even when surname, address, phone and email agree (household
        members, twins, a parent and a child of the same name): their first
        names and dates of birth both clearly differ, or, with contact details
        on both sides, one of them does (Mark and Mary, Frank and Franklin).
        A single clear difference without contact details is weighed by the
        fitted model, so data whose errors replace whole values of one person
        (the FEBRL benchmarks) still links; see ``household``.
    blocking_passes: the column sets that make candidate pairs (union of
        passes); see ``persons.BLOCKING_COLUMNS``.
    max_block_size: records that share a blocking key with more records than
        this are left out of that pass (logged and counted), so a common
        surname or a placeholder postcode cannot explode the pair count.
    u_sample_pairs: random record pairs compared to learn how often
        non-matching records agree by chance (the u probabilities).
    em_max_iterations / em_tolerance: Fellegi-Sunter EM fitting.
    max_m_clear_difference: the most the EM may learn as the share of one
        person's record pairs whose first names (or dates of birth) clearly
        differ. Without it, an EM with no anchors on data of households learns
        the household as the match class (see ``fellegi_sunter``).
    prior_strength: pseudo-pairs behind the default m and u probabilities, so
        that small inputs are scored by sensible defaults and large ones by
        what the data shows.
    placeholder_birth_dates: dates of birth that forms write when the real one
        is unknown; they are ignored when matching.
    """

    junk_values: frozenset[str] = DEFAULT_JUNK_VALUES
    junk_patterns: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: DEFAULT_JUNK_PATTERNS)
    shared_limits: Mapping[str, int] = field(default_factory=lambda: DEFAULT_SHARED_LIMITS)
    least_signed_in_share: Mapping[str, float] = field(default_factory=lambda: DEFAULT_LEAST_SIGNED_IN_SHARE)
    visit_gap_minutes: float = 30.0
    passive_event_types: tuple[str, ...] = ("push_received",)
    max_cluster_size: int = 50
    match_threshold: float = 0.9
    household_guard: bool = True
    blocking_passes: tuple[tuple[str, ...], ...] = DEFAULT_BLOCKING_PASSES
    max_block_size: int = 300
    u_sample_pairs: int = 300_000
    em_max_iterations: int = 200
    em_tolerance: float = 1e-6
    prior_strength: float = 50.0
    max_m_clear_difference: float = 0.1
    placeholder_birth_dates: tuple[str, ...] = ("1900-01-01", "1901-01-01", "9999-12-31")
