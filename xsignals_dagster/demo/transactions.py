"""A retailer's transaction log landed through the landing contract, and the real CDNOW logs.

Many retailers can hand over nothing but a purchase log: one row per purchase with the
customer, the date or time, the amount and perhaps the quantity. ``land_transactions`` turns
such a log into what the pipeline reads — daily ``pos`` files (CONTRACT §1), one sale line
per purchase with the customer as ``loyalty_id`` — so a real log goes through the same
ingestion, identity and intent steps as any other landing zone. ``read_cdnow`` reads the
CDNOW logs (Fader & Hardie's CD purchases, 1997-01 to 1998-06) that ship inside the
``lifetimes`` package: the classic real-data test of purchase prediction.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

# A transaction log's columns: customer_id, ts (a date or a timestamp, as values or ISO 8601
# text; without an offset it is UTC), amount, and optionally quantity.
LOG_COLUMNS = ("customer_id", "ts", "amount")
POS_SOURCE = "pos"
# The store a log's sales are landed under when it names none (the contract requires one).
DEFAULT_STORE_ID = "online"

CDNOW_MASTER = "CDNOW_master.txt"  # the whole cohort: 23,570 customers, 69,659 purchases
CDNOW_SAMPLE = "CDNOW_sample.txt"  # its 1/10th systematic sample: 2,357 customers, 6,919 purchases
CDNOW_LAST_DAY = dt.date(1998, 6, 30)


@dataclass(frozen=True)
class LandedLog:
    files: int
    rows: int  # purchases landed (those up to the cut-off)


def land_transactions(
    transactions: pd.DataFrame, landing: Path, until: dt.date | None = None, store_id: str = DEFAULT_STORE_ID
) -> LandedLog:
    """Land `transactions` (LOG_COLUMNS, optionally quantity) as `<landing>/pos/<YYYY-MM-DD>.csv`,
    one file per UTC day from the log's first day to `until` (default: its last day).

    Every day of that span lands a file, a header-only one when nobody bought: a daily extract
    exists on quiet days too, and the newest extract date — the ``as_of`` of the intent scores —
    is then `until` itself. Transaction ids are numbered over the whole log in time order, so
    landing it again up to a later day rewrites the earlier days with the same bytes (which the
    pipeline skips). Each file lands by atomic rename, never seen half-written.
    """
    missing = set(LOG_COLUMNS) - set(transactions.columns)
    if missing:
        raise ValueError(
            f"a transaction log needs the columns {', '.join(LOG_COLUMNS)}; "
            f"missing {', '.join(sorted(missing))}"
        )
    if transactions.empty:
        return LandedLog(files=0, rows=0)
    log = transactions.assign(ts=pd.to_datetime(transactions["ts"], utc=True, format="ISO8601"))
    log = log.sort_values(["ts", "customer_id"], kind="stable").reset_index(drop=True)
    quantity = log["quantity"] if "quantity" in log else pd.Series(pd.NA, index=log.index)
    lines = pd.DataFrame(
        {
            "transaction_id": [f"t{n:09d}" for n in range(1, len(log) + 1)],
            "line_no": 1,
            "ts": _iso_timestamps(log["ts"]),
            "store_id": store_id,
            "amount": log["amount"],
            "quantity": pd.to_numeric(quantity).astype("Int64"),
            "loyalty_id": log["customer_id"].astype(str),
        }
    )
    days = log["ts"].dt.date
    last_day = until or days.iloc[-1]
    span = pd.date_range(days.iloc[0], last_day, freq="D").date
    folder = landing / POS_SOURCE
    folder.mkdir(parents=True, exist_ok=True)
    rows_of_day = lines.groupby(days.to_numpy()).indices
    for day in span:
        name = f"{day:%Y-%m-%d}.csv"
        in_flight = folder / f".{name}.tmp"
        lines.iloc[rows_of_day.get(day, [])].to_csv(in_flight, index=False, lineterminator="\n")
        os.replace(in_flight, folder / name)
    return LandedLog(files=len(span), rows=int((days <= last_day).sum()))


def _iso_timestamps(ts: pd.Series) -> pd.Series:
    """The contract's ISO 8601 text: the date alone when the log has no times of day (a date
    alone means midnight UTC), else the UTC time with a Z."""
    if (ts == ts.dt.normalize()).all():
        return ts.dt.strftime("%Y-%m-%d")
    return ts.dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def cdnow_file(name: str) -> Path:
    """Where the installed `lifetimes` package keeps a CDNOW file. Found without importing
    `lifetimes`, which is unmaintained and fails to import on numpy 2."""
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "the CDNOW files ship inside the `lifetimes` package: pip install -e '.[bench]'"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "datasets" / name


def read_cdnow(sample: bool = False) -> pd.DataFrame:
    """The CDNOW purchase log as LOG_COLUMNS plus quantity (CDs bought): the whole cohort, or
    with `sample` its 1/10th sample. Both files are whitespace-separated, dates as YYYYMMDD;
    the master file has a header (customer id, date, CDs, dollars), the sample none and an
    extra second column, the customer's number within the sample. The customer is the master
    file's id in both, so a sample customer is the same customer in the cohort."""
    if sample:
        names, skip = ["customer_id", "sample_id", "date", "quantity", "amount"], 0
    else:
        names, skip = ["customer_id", "date", "quantity", "amount"], 1
    raw = pd.read_csv(
        cdnow_file(CDNOW_SAMPLE if sample else CDNOW_MASTER),
        sep=r"\s+",
        header=None,
        names=names,
        skiprows=skip,
        dtype={"customer_id": str, "date": str},
    )
    return pd.DataFrame(
        {
            "customer_id": raw["customer_id"],
            "ts": pd.to_datetime(raw["date"], format="%Y%m%d"),
            "amount": raw["amount"].astype(float),
            "quantity": raw["quantity"].astype(int),
        }
    )
