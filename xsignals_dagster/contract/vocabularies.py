"""The names every layer shares, each defined once: identifier types, person columns, consent
columns and channels, signal windows, the warehouse pool."""

# The contract's identifier types, in the order identity's graph attaches them: an account or
# loyalty id names one person; an email or phone usually does (a household may share one); a
# cookie, device or payment token only says which browser, phone or card was used, and families
# and stores share those.
MEMBERSHIP_ID_TYPES = ("account_id", "loyalty_id")
CONTACT_ID_TYPES = ("email", "phone")
DEVICE_ID_TYPES = ("cookie_id", "device_id", "payment_token")
IDENTIFIER_TYPES = MEMBERSHIP_ID_TYPES + CONTACT_ID_TYPES + DEVICE_ID_TYPES
# Person-level identifiers: a customer holding one is known, not an anonymous device.
PERSON_ID_TYPES = MEMBERSHIP_ID_TYPES + CONTACT_ID_TYPES

# What a roster row may say about who someone is (CONTRACT §1: accounts, loyalty).
PERSON_COLUMNS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "date_of_birth",
    "street",
    "city",
    "postcode",
    "state",
)

# Channels an offer can go out on, in fallback order when the preferred one is not consented:
# least intrusive first.
CONTACT_CHANNELS = ("email", "push", "sms")
CHANNEL_CONSENT_COLUMNS = {channel: f"consent_{channel}" for channel in CONTACT_CHANNELS}
PERSONALIZATION_CONSENT = "consent_personalization"
# Every consent a preferences row may state (CONTRACT §1): the channels', location, personalisation.
CONSENT_COLUMNS = (*CHANNEL_CONSENT_COLUMNS.values(), "consent_location", PERSONALIZATION_CONSENT)

# The look-back windows of each windowed signal type, in days (None: the whole history).
SIGNAL_WINDOWS_DAYS = {
    "behavioral": (7, 30, 90),
    "transactional": (30, 90, None),
    "engagement": (30, 90),
}

# The Dagster pool every warehouse-writing step holds, so that SQLite sees one writer at a time.
WAREHOUSE_POOL = "warehouse"
