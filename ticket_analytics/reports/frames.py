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
        "delivered_count": pl.Int64(),
        "closed_without_work_count": pl.Int64(),
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
        "hours_basis": pl.String(),
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


# Triage metrics (dbt_like_models/triage/): built by the triage job, so they may be missing.
TRIAGE_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "fct_triage_first_comment": {
        "day": pl.Date(),
        "category": pl.String(),
        "commented_ticket_count": pl.Int64(),
        "median_seconds_to_first_comment": pl.Float64(),
        "p95_seconds_to_first_comment": pl.Float64(),
    },
    "fct_triage_completeness": {
        "category": pl.String(),
        "analysed_ticket_count": pl.Int64(),
        "complete_at_creation_count": pl.Int64(),
        "complete_at_creation_rate": pl.Float64(),
    },
    "fct_triage_followups": {
        "category": pl.String(),
        "commented_ticket_count": pl.Int64(),
        "completed_after_comment_count": pl.Int64(),
        "completed_after_comment_rate": pl.Float64(),
    },
}
_TRIAGE_ORDER = {
    "fct_triage_first_comment": "day, category",
    "fct_triage_completeness": "category",
    "fct_triage_followups": "category",
}


@dataclass(frozen=True)
class TriageFrames:
    first_comment: pl.DataFrame
    completeness: pl.DataFrame
    followups: pl.DataFrame


def load_triage_frames(conn: duckdb.DuckDBPyConnection) -> TriageFrames:
    """The triage metrics; a model not built yet reads as an empty frame."""
    rows = conn.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'main' and list_contains(?, table_name)",
        [list(TRIAGE_SCHEMAS)],
    ).fetchall()
    existing = {name for (name,) in rows}

    def read(table: str) -> pl.DataFrame:
        schema = TRIAGE_SCHEMAS[table]
        if table not in existing:
            return pl.DataFrame(schema=schema)
        columns = [duckdb.ColumnExpression(name) for name in schema]
        relation = conn.table(f"main.{table}").select(*columns).order(_TRIAGE_ORDER[table])
        return relation.pl().cast(schema)

    return TriageFrames(
        first_comment=read("fct_triage_first_comment"),
        completeness=read("fct_triage_completeness"),
        followups=read("fct_triage_followups"),
    )
