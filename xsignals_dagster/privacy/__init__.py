"""Privacy rules every derived table obeys: consent (opt-in, per channel, point in time) and
erasure (a person's records removed, their identifiers suppressed)."""

from xsignals_dagster.privacy.consent import consent_state

__all__ = ["consent_state"]
