"""Who was one customer on a past day: today's customers, split where the evidence that joins
their records had not arrived yet.

Training examples at a past `as_of` must see customers as identity resolution could have
seen them then. Today's customers join records through identifiers and matches some of
which were observed later, typically an anonymous browser cookie tied to an account by
the purchase itself: grouping the earlier browsing under today's customer would credit it
to the buyer and leak the label into the features. Here a customer's records dated up to
`as_of` are regrouped by what connected them by then: the identifiers they carry (counted
within the customer, so a family tablet still does not merge two customers) and accepted
probabilistic matches between two records both present by then. Each part is a customer at
`as_of`; the part with the most records keeps the id, the others get `<id>~<n>`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from xsignals_dagster.contract.vocabularies import IDENTIFIER_TYPES, PERSON_ID_TYPES

from .graph import connected_labels

ROSTER_TIME = "updated_at"


def _record_time(frame: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(frame["ts"] if "ts" in frame.columns else frame[ROSTER_TIME])


class IdentityHistory:
    """Today's resolution (`record_customers`, probabilistic `links`) over the loaded
    `frames`, ready to be cut at any past day with `customers_at`."""

    def __init__(
        self, frames: Mapping[str, pd.DataFrame], record_customers: pd.DataFrame, links: pd.DataFrame
    ):
        owned = record_customers.dropna(subset=["customer_id"])
        keys_of_source = dict(tuple(owned.groupby("source", sort=False)))
        records, edges = [], []
        for source, frame in frames.items():
            keys = keys_of_source.get(source)
            if keys is None or frame.empty:
                continue
            needed = [
                "record_key",
                "ts" if "ts" in frame.columns else ROSTER_TIME,
                *(t for t in IDENTIFIER_TYPES if t in frame.columns),
            ]
            rows = frame[needed].merge(
                keys[["record_key", "customer_id"]].drop_duplicates("record_key"), on="record_key"
            )
            start = sum(len(r) for r in records)
            records.append(
                pd.DataFrame(
                    {
                        "source": source,
                        "record_key": rows["record_key"],
                        "customer_id": rows["customer_id"],
                        "at": _record_time(rows),
                    }
                )
            )
            for id_type in (t for t in IDENTIFIER_TYPES if t in rows.columns):
                carried = rows[id_type].notna().to_numpy()
                edges.append(
                    pd.DataFrame(
                        {
                            "record": np.flatnonzero(carried) + start,
                            "customer_id": rows["customer_id"].to_numpy()[carried],
                            "id_type": id_type,
                            "id_value": rows[id_type].to_numpy()[carried],
                        }
                    )
                )
        self.records = (
            pd.concat(records, ignore_index=True)
            if records
            else pd.DataFrame(columns=["source", "record_key", "customer_id", "at"])
        )
        identifiers = (
            pd.concat(edges, ignore_index=True)
            if edges
            else pd.DataFrame(columns=["record", "customer_id", "id_type", "id_value"])
        )
        self._record_of_edge = identifiers["record"].to_numpy(np.int64)
        self._node_of_edge = (
            identifiers.groupby(["customer_id", "id_type", "id_value"], sort=False)
            .ngroup()
            .to_numpy(np.int64)
        )
        self._known_edge = identifiers["id_type"].isin(PERSON_ID_TYPES).to_numpy()
        refs = pd.Index(self.records["source"].astype(str) + ":" + self.records["record_key"].astype(str))
        matched = links[links["kind"] == "probabilistic"] if len(links) else links
        left = refs.get_indexer(matched["left_record"]) if len(matched) else np.array([], dtype=np.int64)
        right = refs.get_indexer(matched["right_record"]) if len(matched) else np.array([], dtype=np.int64)
        both = (left >= 0) & (right >= 0)
        self._match_left, self._match_right = left[both], right[both]

    def customers_at(self, as_of: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(`source, record_key, customer_id` of the records dated up to as_of, as grouped
        then; `customer_id, is_known, today_customer_id` of those customers)."""
        present = (self.records["at"] <= pd.Timestamp(as_of)).to_numpy()
        n = len(self.records)
        edge_kept = present[self._record_of_edge]
        match_kept = present[self._match_left] & present[self._match_right]
        rows = np.concatenate([self._record_of_edge[edge_kept], self._match_left[match_kept]])
        columns = np.concatenate([n + self._node_of_edge[edge_kept], self._match_right[match_kept]])
        size = n + (int(self._node_of_edge.max()) + 1 if len(self._node_of_edge) else 0)
        component = connected_labels(size, rows, columns)

        cut = self.records[present].assign(part=component[:n][present])
        sizes = cut.groupby(["customer_id", "part"], sort=False).size().rename("records").reset_index()
        sizes = sizes.sort_values(
            ["customer_id", "records", "part"], ascending=[True, False, True], kind="stable"
        )
        rank = sizes.groupby("customer_id", sort=False).cumcount()
        sizes["at_customer_id"] = (
            sizes["customer_id"]
            .astype(str)
            .where(rank == 0, sizes["customer_id"].astype(str) + "~" + rank.astype(str))
        )
        cut = cut.merge(sizes[["part", "at_customer_id"]], on="part")
        known_parts = np.unique(component[self._record_of_edge[edge_kept & self._known_edge]])
        customers = sizes.assign(is_known=sizes["part"].isin(known_parts))
        record_customers = cut[["source", "record_key", "at_customer_id"]].rename(
            columns={"at_customer_id": "customer_id"}
        )
        customers = customers[["at_customer_id", "is_known", "customer_id"]].rename(
            columns={"customer_id": "today_customer_id", "at_customer_id": "customer_id"}
        )
        return record_customers.reset_index(drop=True), customers.reset_index(drop=True)
