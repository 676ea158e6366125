"""A backfill builds many months in one statement and one run; it must equal building them
one by one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
from jira_builders import load_and_build

from ticket_analytics.defs.resources import WarehouseResource
from ticket_analytics.runner import run
from ticket_analytics.samples.generator import write_sample
from ticket_analytics.warehouse.connection import connect
from ticket_analytics.warehouse.model_project import load_project
from ticket_analytics.warehouse.models import build_model

MONTHS = ("2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10")
ROWS = {
    "fct_monthly_ops": "select * from fct_monthly_ops order by all",
    "fct_incident_trends": "select * from fct_incident_trends order by all",
}


def test_a_month_range_build_equals_one_build_per_month(tmp_path: Path) -> None:
    sample = write_sample(
        tmp_path / "sample", months=5, seed=3, until=date(2025, 9, 30), per_month=120
    )
    project = load_project()
    partitioned = [project.models[n] for n in project.order if project.models[n].partition_by]
    assert {m.name for m in partitioned} == set(ROWS)
    with connect(tmp_path / "w.duckdb") as conn:
        load_and_build(conn, sample.out_dir, months=MONTHS)
        ranged = {name: conn.sql(sql).fetchall() for name, sql in ROWS.items()}
        conn.execute("delete from fct_monthly_ops; delete from fct_incident_trends")
        for model in partitioned:
            for month in MONTHS:
                build_model(conn, model, month)
        one_by_one = {name: conn.sql(sql).fetchall() for name, sql in ROWS.items()}
    # every month, including the one after the data ends, has its rows
    assert {row[0] for row in ranged["fct_monthly_ops"]} == set(MONTHS)
    assert ranged == one_by_one


def test_a_dagster_backfill_of_a_range_is_one_run_recording_every_month(tmp_path: Path) -> None:
    sample = write_sample(
        tmp_path / "sample", months=3, seed=5, until=date(2025, 9, 30), per_month=60
    )
    path = tmp_path / "w.duckdb"
    with connect(path) as conn:
        load_and_build(conn, sample.out_dir)
    result = run(
        ["fct_monthly_ops"],
        partition_range=("2025-07", "2025-09"),
        resources={"warehouse": WarehouseResource(path=str(path))},
    )
    assert result.success
    events = [e.materialization for e in result.get_asset_materialization_events()]
    assert sorted(m.partition for m in events if m) == ["2025-07", "2025-08", "2025-09"]
    with connect(path, read_only=True) as conn:
        built = conn.sql("select count(*) from fct_monthly_ops").fetchall()[0][0]
    # the count is the range's, so it is not passed off as each month's row count
    for materialization in events:
        assert materialization is not None
        assert materialization.metadata["rows_in_range"] == dg.MetadataValue.int(built)
        assert "dagster/row_count" not in materialization.metadata
