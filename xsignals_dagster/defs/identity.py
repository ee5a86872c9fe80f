"""Identity resolution as a multi-asset: one run resolves and writes every identity table, the
fitted match model included."""

import dagster as dg
import pandas as pd

from xsignals_dagster.automation import DOWNSTREAM_REFRESH
from xsignals_dagster.contract.sources import IDENTITY_SOURCES, SOURCES
from xsignals_dagster.contract.tables import IDENTITY_TABLES, MATCH_MODEL_TABLE
from xsignals_dagster.contract.vocabularies import WAREHOUSE_POOL
from xsignals_dagster.identity import IdentitySettings, pairwise_scores, resolve_stored_identities
from xsignals_dagster.resources import GroundTruth, Warehouse

MIN_LINKED_SHARE = 0.5


def _evaluate(truth: GroundTruth, record_customers: pd.DataFrame) -> dict[str, float]:
    """Pairwise precision / recall / F1 of the record clustering against a generated truth."""
    records = truth.read("records.csv")
    if records is None:
        return {}
    records = records.dropna(subset=["person_id"])
    truth_person = pd.Series(
        records["person_id"].to_numpy(), index=records["source"] + "/" + records["record_key"]
    )
    predicted = pd.Series(
        record_customers["customer_id"].to_numpy(),
        index=record_customers["source"] + "/" + record_customers["record_key"],
    ).reindex(truth_person.index)
    scores = pairwise_scores(predicted, truth_person)
    return {f"truth_pairwise_{k}": round(v, 5) for k, v in scores.items()}


def _match_model_table(match_model: pd.DataFrame) -> dg.TableMetadataValue:
    """The fitted m, u and match weight of every comparison level, as the UI shows a table."""
    rounded = match_model.round({"m": 5, "u": 6, "match_weight": 2})
    return dg.MetadataValue.table(
        records=[dg.TableRecord(row) for row in rounded.to_dict("records")],
        schema=dg.TableSchema(
            columns=[
                dg.TableColumn("comparison", "string"),
                dg.TableColumn("level", "string"),
                dg.TableColumn("m", "float"),
                dg.TableColumn("u", "float"),
                dg.TableColumn("match_weight", "float"),
            ]
        ),
    )


def _spec(name: str, description: str) -> dg.AssetSpec:
    return dg.AssetSpec(
        name,
        group_name="identity",
        kinds={"pandas", "sql"},
        description=description,
        deps=[dg.AssetKey(SOURCES[s].table) for s in IDENTITY_SOURCES],
        automation_condition=DOWNSTREAM_REFRESH,
    )


@dg.multi_asset(
    specs=[
        *(_spec(name, text) for name, text in IDENTITY_TABLES.items()),
        _spec(
            MATCH_MODEL_TABLE,
            "The person-record matcher as the last run fitted it: m, u and match weight of every comparison "
            "level, which explain each probabilistic link and each pair kept apart in identity_links.",
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "cluster_size_within_cap",
            asset="customer_identifiers",
            description="No customer grew past the cluster-size cap.",
        ),
        dg.AssetCheckSpec(
            "linked_share",
            asset="customer_records",
            description=f"At least {MIN_LINKED_SHARE:.0%} of records belong to a customer.",
        ),
    ],
    pool=WAREHOUSE_POOL,
    can_subset=False,
)
def identity_resolution(context: dg.AssetExecutionContext, warehouse: Warehouse, truth: GroundTruth):
    """Deterministic links on touchpoint keys, then recordlinkage matching of person records."""
    settings = IdentitySettings()
    result = resolve_stored_identities(warehouse.store, context.run.run_id, settings)
    context.log.info(
        f"{result.metrics['customers']} customers from {result.metrics['records']} records, "
        f"{result.metrics['known_share']:.1%} known"
    )
    metrics = {**result.metrics, **_evaluate(truth, result.record_customers)}
    records = len(result.record_customers)
    linked = records - metrics["records_without_customer"]
    yield dg.MaterializeResult(
        asset_key="customer_identifiers",
        metadata={
            **metrics,
            "rows": len(result.customer_identifiers),
            "match_model": _match_model_table(result.match_model),
        },
    )
    yield dg.MaterializeResult(
        asset_key="customer_records",
        metadata={"rows": records, "linked_share": linked / records if records else 0.0},
    )
    yield dg.MaterializeResult(
        asset_key="customers", metadata={"rows": len(result.customers), "known_share": metrics["known_share"]}
    )
    yield dg.MaterializeResult(
        asset_key="identity_links",
        metadata={
            "rows": len(result.links),
            **{name: value for name, value in metrics.items() if name.startswith("links_")},
        },
    )
    yield dg.MaterializeResult(
        asset_key="identity_changes", metadata={"rows_this_run": len(result.id_changes)}
    )
    yield dg.MaterializeResult(
        asset_key="shared_identifiers", metadata={"rows": len(result.shared_identifiers)}
    )
    yield dg.MaterializeResult(asset_key=MATCH_MODEL_TABLE, metadata={"rows": len(result.match_model)})
    yield dg.AssetCheckResult(
        asset_key="customer_identifiers",
        check_name="cluster_size_within_cap",
        passed=metrics["guard_violations"] == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"guard_violations": metrics["guard_violations"], "cap": settings.max_cluster_size},
    )
    yield dg.AssetCheckResult(
        asset_key="customer_records",
        check_name="linked_share",
        passed=not records or linked / records >= MIN_LINKED_SHARE,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"linked_share": linked / records if records else 0.0, "threshold": MIN_LINKED_SHARE},
    )
