"""Devices one person signs into now and then: shared with people who do not sign in.

A family tablet or a shared browser that two members sign into is caught by the owner count
(graph.py). One that only one member ever signs into has a single owner, and without this rule all
its anonymous visits - the other members' too - are attributed to that member. What still shows it
is how signing in alternates with anonymous use. An app stays signed in once someone signs in, so
on a personal phone nearly every visit after the first signed-in one is signed in too (the visits
before it are typically the owner before signing up). On a shared device the members who do not
sign in leave anonymous visits between the signed-in ones. On the web, where signing in is per
visit, the share says little about a desktop or phone browser (its owner signs in on some visits);
it is applied to tablet browsers only by default, the browser class households most often share.

A device found this way is shared, not a bridge: it joins nobody, its anonymous visits are nobody's,
and the signed-in visits keep their account. What this cannot see: a shared device that stays signed
in as one member whoever uses it (every visit is that member's), and a personal device whose owner
often browses signed out (its anonymous visits are then nobody's: recall lost, not precision).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from xsignals_dagster.contract.vocabularies import PERSON_ID_TYPES

from .identifiers import IdentifierTable
from .settings import IdentitySettings

# The sources whose events are visits to a device: the device's identifier column and the column that
# names its class (None: the source's name is the class).
VISIT_SOURCES: Mapping[str, tuple[str, str | None]] = {
    "app": ("device_id", None),
    "web": ("cookie_id", "device_type"),
}


# Why such a device is shared (shared_identifiers.reason, followed by its figures).
SIGNED_IN_TOO_RARELY_REASON = (
    "device one person signs into on too few visits: shared with people who do not sign in"
)


def sometimes_signed_in_devices(
    frames: Mapping[str, pd.DataFrame], table: IdentifierTable, settings: IdentitySettings
) -> pd.Series:
    """Per device identifier (number in ``table``) signed in on too few visits since the first signed-in
    one: the reason it is shared, with the share (an empty Series when none is).

    A visit is a run of one device's events no more than ``settings.visit_gap_minutes`` apart, events
    of ``settings.passive_event_types`` (a received push) left out; it is signed in when one of its
    events carries a person-level identifier (an account id, an email) that is not junk. A device's
    class is its source (``app``) or its source and device type (``web tablet``); classes without a
    limit in ``settings.least_signed_in_share`` are never judged.
    """
    parts = [
        _visit_events(frames[source], table, source, settings) for source in VISIT_SOURCES if source in frames
    ]
    events = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    events = (
        events[events["device_class"].isin(list(settings.least_signed_in_share))] if len(events) else events
    )
    if not len(events):
        return pd.Series(dtype=object)
    events = events.sort_values(["identifier", "ts"], kind="stable")
    gap = events["ts"].diff() > pd.Timedelta(minutes=settings.visit_gap_minutes)
    new_device = events["identifier"].to_numpy() != np.roll(events["identifier"].to_numpy(), 1)
    new_device[0] = True
    events["visit"] = np.cumsum(new_device | gap.to_numpy())
    visits = events.groupby("visit", sort=True).agg(
        identifier=("identifier", "first"),
        device_class=("device_class", "first"),
        signed_in=("signed_in", "any"),
    )
    since_first = visits.groupby("identifier")["signed_in"].cummax().to_numpy()
    judged = (
        visits[since_first]
        .groupby("identifier")
        .agg(
            visits=("signed_in", "size"),
            signed_in_share=("signed_in", "mean"),
            device_class=("device_class", "first"),
        )
    )
    least = judged["device_class"].map(settings.least_signed_in_share).astype(float)
    shared = judged[judged["signed_in_share"].to_numpy() < least.to_numpy()]
    least = least[shared.index]
    percent = (100 * shared["signed_in_share"]).round().astype(int).astype(str)
    least_percent = (100 * least).round().astype(int).astype(str)
    return pd.Series(
        SIGNED_IN_TOO_RARELY_REASON
        + " ("
        + percent
        + "% of "
        + shared["visits"].astype(str)
        + " visits since the first signed-in one; "
        + shared["device_class"].astype(str)
        + " devices need "
        + least_percent
        + "%)",
        index=shared.index,
        dtype=object,
    )


def _visit_events(
    frame: pd.DataFrame, table: IdentifierTable, source: str, settings: IdentitySettings
) -> pd.DataFrame:
    """identifier, device_class, ts, signed_in of one source's active events that carry a device id."""
    id_column, class_column = VISIT_SOURCES[source]
    records = table.record_numbers(source)
    occurrences = table.occurrences[np.isin(table.occurrences["record"].to_numpy(), records)]
    id_type = table.identifiers["id_type"].astype(str).to_numpy()[occurrences["identifier"].to_numpy()]
    signed_in = np.zeros(table.n_records, bool)
    signed_in[occurrences["record"].to_numpy()[np.isin(id_type, PERSON_ID_TYPES)]] = True
    device = occurrences[id_type == id_column]
    row = np.searchsorted(records, device["record"].to_numpy())  # the record's row in the frame
    device_class = (
        np.full(len(device), source, dtype=object)
        if class_column is None or class_column not in frame.columns
        else (source + " " + frame[class_column].astype("string").fillna("unknown")).to_numpy(dtype=object)[
            row
        ]
    )
    events = pd.DataFrame(
        {
            "identifier": device["identifier"].to_numpy(),
            "device_class": device_class,
            "ts": frame["ts"].to_numpy()[row],
            "signed_in": signed_in[device["record"].to_numpy()],
        }
    )
    if "event_type" not in frame.columns:
        return events
    return events[~frame["event_type"].isin(settings.passive_event_types).to_numpy()[row]]
