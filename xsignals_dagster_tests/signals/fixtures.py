"""Hand-made source frames, typed as `ingest.frames.load_source_frames` returns them."""

from __future__ import annotations

import pandas as pd

from xsignals_dagster.contract.sources import SOURCES
from xsignals_dagster.ingest.records import empty_frame, typed
from xsignals_dagster.ingest.validate import key_strings


def source_frames(rows: dict[str, list[dict]]) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Every source's frame from `rows` (contract columns, plus `customer`: who the record
    belongs to, or None), and the `record_customers` mapping. Key columns left out are
    numbered per source; sources not given are empty."""
    frames, owners = {}, []
    for source, schema in SOURCES.items():
        given = rows.get(source, [])
        if not given:
            frames[source] = empty_frame(source)
            continue
        records = pd.DataFrame(
            [{**{k: f"{source}-{i}" for k in schema.key}, **row} for i, row in enumerate(given, 1)]
        )
        frame = pd.DataFrame(
            {
                c: typed(records.get(c, pd.Series(None, index=records.index, dtype=object)), c)
                for c in schema.columns
            }
        )
        frame["record_key"] = key_strings(frame, schema.key).astype(object)
        frame["source_path"] = f"{source}/2026-01-01.csv"
        frame["source_row"] = pd.array(range(1, len(frame) + 1), dtype="Int64")
        frames[source] = frame
        owners.append(
            pd.DataFrame(
                {"source": source, "record_key": frame["record_key"], "customer_id": records["customer"]}
            )
        )
    record_customers = (
        pd.concat(owners, ignore_index=True)
        if owners
        else pd.DataFrame(columns=["source", "record_key", "customer_id"])
    )
    return frames, record_customers
