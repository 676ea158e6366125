"""The SQL keyword rule and the catalog's Python classify agree on every ticket."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from jira_builders import load_and_build

from ticket_analytics.catalog import default_catalog
from ticket_analytics.samples.generator import write_sample
from ticket_analytics.warehouse.connection import connect


def test_sql_and_python_classify_the_sample_alike(tmp_path: Path) -> None:
    sample = write_sample(
        tmp_path / "sample", months=2, seed=11, until=date(2025, 10, 31), per_month=200
    )
    with connect(tmp_path / "w.duckdb") as conn:
        load_and_build(conn, sample.out_dir)
        rows = conn.sql(
            "select t.issue_key, t.category, i.summary, i.description_text "
            "from fct_tickets t join stg_jira__issues i using (issue_id)"
        ).fetchall()
    catalog = default_catalog()
    disagreements = [
        (key, category, catalog.classify(f"{summary} {description}"))
        for key, category, summary, description in rows
        if category != catalog.classify(f"{summary} {description}")
    ]
    assert len(rows) > 300 and disagreements == []
    assert len({category for _, category, _, _ in rows}) == len(catalog.ids)
