"""Privacy rules every derived table obeys: consent (opt-in, per channel, point in time)."""

from xsignals_dagster.privacy.consent import CONSENT_COLUMNS, consent_state

__all__ = ["CONSENT_COLUMNS", "consent_state"]
