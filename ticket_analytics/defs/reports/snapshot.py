"""The read-only copy analysts query while Dagster keeps writing the warehouse."""

import dagster as dg

from ticket_analytics.defs.resources import WarehouseResource
from ticket_analytics.warehouse.model_project import load_project
from ticket_analytics.warehouse.snapshot import publish_snapshot


@dg.asset(
    group_name="reports",
    deps=[dg.AssetKey(name) for name in load_project().models],
    kinds={"duckdb"},
)
def analyst_snapshot(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """A copy of the whole warehouse for analysts (`<warehouse>.snapshot.duckdb`).

    Published atomically after the models build, so an analyst's open session never blocks a
    run and never breaks: it keeps the version it opened; new sessions see the new one.
    """
    with warehouse.connect() as conn:
        target = publish_snapshot(conn, warehouse.file)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(target)),
            "size_mb": round(target.stat().st_size / 1e6, 1),
            "open_with": dg.MetadataValue.md(f"```\nduckdb -readonly {target}\n```"),
        }
    )
