"""The ten landing sources of CONTRACT.md §1, described as data.

Every rule the ingestion applies (required columns, keys, enumerations, types) is read
from these entries; there is no per-source code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xsignals_dagster.contract.vocabularies import CONSENT_COLUMNS, PERSON_COLUMNS

TIMESTAMP_COLUMNS = frozenset({"ts", "updated_at", "created_at", "joined_at"})
DATE_COLUMNS = frozenset({"date_of_birth"})
DECIMAL_COLUMNS = frozenset(
    {"amount", "revenue", "unit_price", "sentiment", "latitude", "longitude", "points_balance"}
)
INTEGER_COLUMNS = frozenset({"line_no", "quantity", "csat"})
BOOLEAN_COLUMNS = frozenset({"resolved", *CONSENT_COLUMNS})

# Inclusive bounds of numeric value rules; a value outside is malformed.
VALUE_RANGES = {
    "sentiment": (-1.0, 1.0),
    "csat": (1, 5),
    "latitude": (-90.0, 90.0),
    "longitude": (-180.0, 180.0),
}


@dataclass(frozen=True)
class SourceSchema:
    """One landing source: its columns and the rules its rows must follow."""

    name: str
    key: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # At least one of these must be present (preferences, erasure).
    required_any: tuple[str, ...] = ()
    # Columns required when another column holds a value: {(column, value): required columns}.
    required_when: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    # Rosters: a key seen again is an update; the latest `updated_at` is the current state.
    roster: bool = False
    # Stored as salted hashes only (erasure requests must not keep the identifiers they erase).
    hashed_identifiers: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        seen: dict[str, None] = dict.fromkeys(self.key + self.required + self.required_any + self.optional)
        return tuple(seen)

    @property
    def header_required(self) -> tuple[str, ...]:
        """Columns a file must have in its header to be read at all."""
        return self.key + self.required

    @property
    def table(self) -> str:
        return f"stg_{self.name}"


_PURCHASE_NEEDS = ("order_id", "revenue")
_ONLINE_EVENT = ("account_id", "product_id", "category", "search_query", "order_id", "revenue")

SOURCES: dict[str, SourceSchema] = {
    s.name: s
    for s in (
        SourceSchema(
            name="web",
            key=("event_id",),
            required=("ts", "cookie_id", "event_type"),
            optional=(
                "account_id",
                "email",
                *_ONLINE_EVENT[1:],
                "device_type",
                "city",
                "utm_source",
                "utm_campaign",
            ),
            enums={
                "event_type": (
                    "page_view",
                    "product_view",
                    "search",
                    "add_to_cart",
                    "wishlist_add",
                    "checkout",
                    "purchase",
                ),
                "device_type": ("desktop", "mobile", "tablet"),
            },
            required_when={("event_type", "purchase"): _PURCHASE_NEEDS},
        ),
        SourceSchema(
            name="app",
            key=("event_id",),
            required=("ts", "device_id", "event_type"),
            optional=_ONLINE_EVENT + ("os", "latitude", "longitude", "push_campaign_id"),
            enums={
                "event_type": (
                    "app_open",
                    "product_view",
                    "search",
                    "add_to_cart",
                    "wishlist_add",
                    "purchase",
                    "push_received",
                    "push_open",
                ),
                "os": ("ios", "android"),
            },
            required_when={("event_type", "purchase"): _PURCHASE_NEEDS},
        ),
        SourceSchema(
            name="store",
            key=("interaction_id",),
            required=("ts", "store_id", "event_type"),
            optional=("loyalty_id", "device_id", "product_id", "category"),
            enums={"event_type": ("store_visit", "try_on", "associate_consult", "click_and_collect_pickup")},
        ),
        SourceSchema(
            name="pos",
            key=("transaction_id", "line_no"),
            required=("ts", "store_id", "amount"),
            optional=(
                "product_id",
                "category",
                "quantity",
                "unit_price",
                "loyalty_id",
                "payment_token",
                "email",
            ),
        ),
        SourceSchema(
            name="loyalty",
            key=("loyalty_id",),
            required=("updated_at",),
            optional=PERSON_COLUMNS + ("tier", "points_balance", "joined_at"),
            roster=True,
        ),
        SourceSchema(
            name="accounts",
            key=("account_id",),
            required=("updated_at",),
            optional=PERSON_COLUMNS + ("created_at",),
            roster=True,
        ),
        SourceSchema(
            name="email",
            key=("event_id",),
            required=("ts", "email", "event_type"),
            optional=("campaign_id", "product_id", "link_url"),
            enums={
                "event_type": ("sent", "delivered", "open", "click", "unsubscribe", "bounce", "complaint")
            },
        ),
        SourceSchema(
            name="service",
            key=("contact_id",),
            required=("ts", "channel"),
            optional=(
                "first_name",
                "last_name",
                "email",
                "phone",
                "account_id",
                "loyalty_id",
                "reason",
                "sentiment",
                "csat",
                "resolved",
            ),
            enums={
                "channel": ("phone", "chat", "email", "social"),
                "reason": ("order_status", "return", "complaint", "product_question", "billing", "other"),
            },
        ),
        SourceSchema(
            name="preferences",
            key=("record_id",),
            required=("ts",),
            required_any=("email", "account_id", "loyalty_id"),
            optional=("preferred_channel", "interests", *CONSENT_COLUMNS),
            enums={"preferred_channel": ("email", "push", "sms", "post", "none")},
        ),
        SourceSchema(
            name="erasure",
            key=("request_id",),
            required=("ts",),
            required_any=("email", "account_id", "loyalty_id", "phone"),
            optional=(),
            hashed_identifiers=True,
        ),
    )
}


# Every source whose records carry identifiers and behaviour: all but the erasure requests.
IDENTITY_SOURCES = tuple(name for name in SOURCES if name != "erasure")


def column_kind(column: str) -> str:
    """The contract type of a column: timestamp, date, decimal, integer, boolean or text."""
    if column in TIMESTAMP_COLUMNS:
        return "timestamp"
    if column in DATE_COLUMNS:
        return "date"
    if column in DECIMAL_COLUMNS:
        return "decimal"
    if column in INTEGER_COLUMNS:
        return "integer"
    if column in BOOLEAN_COLUMNS:
        return "boolean"
    return "text"
