"""The marts the dashboard plots, read once into polars frames shared by the asset and tests."""

from dataclasses import dataclass

import duckdb
import polars as pl

# Only the columns the charts use: fct_tickets carries every description, which a dashboard
# of a million tickets should not pull into memory.
SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "fct_tickets": {
        "issue_key": pl.String(),
        "category": pl.String(),
        "created_at": pl.Datetime("us", "UTC"),
        "resolved_at": pl.Datetime("us", "UTC"),
    },
    "fct_monthly_ops": {
        "month": pl.String(),
        "category": pl.String(),
        "created_count": pl.Int64(),
        "resolved_count": pl.Int64(),
        "median_lead_time_hours": pl.Float64(),
        "p85_lead_time_hours": pl.Float64(),
        "backlog_at_month_end": pl.Int64(),
        "backlog_older_than_30d": pl.Int64(),
        "median_backlog_age_days": pl.Float64(),
    },
    "fct_toil_candidates": {
        "toil_rank": pl.Int64(),
        "category": pl.String(),
        "request_template": pl.String(),
        "component": pl.String(),
        "ticket_count": pl.Int64(),
        "total_handling_hours": pl.Float64(),
        "toil_score": pl.Float64(),
    },
    "fct_daily_flow": {
        "day": pl.Date(),
        "status_category": pl.String(),
        "ticket_count": pl.Int64(),
    },
}
_ORDER = {
    "fct_tickets": "created_at, issue_key",
    "fct_monthly_ops": "month, category",
    "fct_toil_candidates": "toil_rank",
    "fct_daily_flow": "day, status_category",
}


@dataclass(frozen=True)
class DashboardFrames:
    tickets: pl.DataFrame
    monthly_ops: pl.DataFrame
    toil: pl.DataFrame
    daily_flow: pl.DataFrame


def _existing_tables(conn: duckdb.DuckDBPyConnection) -> set[str]:
    rows = conn.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'main' and list_contains(?, table_name)",
        [list(SCHEMAS)],
    ).fetchall()
    return {name for (name,) in rows}


def _read(conn: duckdb.DuckDBPyConnection, table: str, existing: set[str]) -> pl.DataFrame:
    schema = SCHEMAS[table]
    if table not in existing:
        return pl.DataFrame(schema=schema)
    columns = [duckdb.ColumnExpression(name) for name in schema]
    frame = conn.table(f"main.{table}").select(*columns).order(_ORDER[table]).pl()
    return frame.cast(schema)


def load_dashboard_frames(conn: duckdb.DuckDBPyConnection) -> DashboardFrames:
    """Every frame the dashboard needs; a mart not built yet reads as an empty frame."""
    existing = _existing_tables(conn)
    return DashboardFrames(
        tickets=_read(conn, "fct_tickets", existing),
        monthly_ops=_read(conn, "fct_monthly_ops", existing),
        toil=_read(conn, "fct_toil_candidates", existing),
        daily_flow=_read(conn, "fct_daily_flow", existing),
    )
