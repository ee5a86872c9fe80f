"""`engagement_` signals: how a customer answers what the brand sends, and their service contacts.

Columns (windows: trailing 30 and 90 days up to as_of):

- `engagement_<label>_<30|90>d` (int) for every label of `ENGAGEMENT_COUNTS`: email
  delivered, opens, clicks, unsubscribes, complaints, bounces; push received, push opens;
  service contacts.
- `engagement_email_open_rate_<w>` (opens / delivered), `engagement_email_click_rate_<w>`
  (clicks / delivered), `engagement_push_open_rate_<w>` (push opens / push received):
  float, NA when nothing was delivered or received; event counts, so an email opened
  twice counts twice.
- Over all service contacts up to as_of: `engagement_service_mean_sentiment`,
  `engagement_service_mean_csat`, `engagement_service_unresolved_share` (among contacts
  whose `resolved` is known), float, NA without such contacts.
"""

from __future__ import annotations

import pandas as pd

from xsignals_dagster.contract.vocabularies import SIGNAL_WINDOWS_DAYS
from xsignals_dagster.ingest.records import SourceRecords
from xsignals_dagster.signals.aggregate import (
    additive_over_windows,
    count_labels,
    label_events,
    windowed_ratios,
)
from xsignals_dagster.signals.events import Touchpoints

WINDOWS_DAYS = SIGNAL_WINDOWS_DAYS["engagement"]
ENGAGEMENT_COUNTS = {
    ("email", "delivered"): "email_delivered",
    ("email", "open"): "email_opens",
    ("email", "click"): "email_clicks",
    ("email", "unsubscribe"): "email_unsubscribes",
    ("email", "complaint"): "email_complaints",
    ("email", "bounce"): "email_bounces",
    ("app", "push_received"): "push_received",
    ("app", "push_open"): "push_opens",
    ("service", "contact"): "service_contacts",
}
ENGAGEMENT_RATES = {
    "email_open_rate": ("email_opens", "email_delivered"),
    "email_click_rate": ("email_clicks", "email_delivered"),
    "push_open_rate": ("push_opens", "push_received"),
}


def service_quality(records: SourceRecords, customers: pd.Index) -> pd.DataFrame:
    """Mean sentiment, mean CSAT and unresolved share of a customer's service contacts."""
    contacts = records.rows("service", ["sentiment", "csat", "resolved"])
    measures = pd.DataFrame(
        {
            "customer": contacts["customer"],
            "service_mean_sentiment": contacts["sentiment"],
            "service_mean_csat": contacts["csat"].astype("float64"),
            "service_unresolved_share": 1.0 - contacts["resolved"].astype("float64"),
        }
    )
    return measures.groupby("customer").mean().reindex(customers)


def engagement_signals(touchpoints: Touchpoints) -> pd.DataFrame:
    """The `engagement_` columns (module docstring), one row per customer."""
    counts = additive_over_windows(
        label_events(touchpoints.events, ENGAGEMENT_COUNTS),
        touchpoints.as_of,
        WINDOWS_DAYS,
        touchpoints.customers,
        count_labels,
    )
    signals = pd.concat(
        [
            counts,
            windowed_ratios(counts, ENGAGEMENT_RATES, WINDOWS_DAYS),
            service_quality(touchpoints.records, touchpoints.customers),
        ],
        axis=1,
    )
    return signals.add_prefix("engagement_")
