"""The analyzer's verdicts in the warehouse: only new or changed tickets are analysed, and
the documentation-gap models count what the analyzer says, not label matches."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from jira_builders import issue, write_page

from ticket_analytics.catalog import default_catalog
from ticket_analytics.triage.verdicts import refresh_verdicts, refresh_verdicts_before_build
from ticket_analytics.warehouse.catalog_tables import write_catalog
from ticket_analytics.warehouse.connection import connect
from ticket_analytics.warehouse.file_ingest import ingest_files
from ticket_analytics.warehouse.model_project import load_project
from ticket_analytics.warehouse.models import build_project

DAY = "2025-10-0{n}T09:00:00.000+0000"
# The old label-matching rule counted "Environment: TBD" as given: the label is there.
TBD = "Cloud: AWS\nEnvironment: TBD\nEngine: MySQL 8.0"


def _tickets(description_of_3: str = TBD) -> list[dict[str, object]]:
    return [
        issue("OPS-1", DAY.format(n=1), summary="RDS 생성 요청", description="클라우드: AWS\n환경: prod\nPostgreSQL 15"),
        issue("OPS-2", DAY.format(n=2), summary="RDS 생성 요청", description="MySQL 8.0 부탁드립니다"),
        issue("OPS-3", DAY.format(n=3), summary="RDS 생성 요청", description=description_of_3),
        issue("OPS-4", DAY.format(n=4), summary="노트북 교체 문의", description="감사합니다"),
    ]  # fmt: skip


@pytest.fixture
def conn(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    with connect(tmp_path / "w.duckdb") as connection:
        ingest_files(connection, write_page(tmp_path / "page.json", _tickets()))
        write_catalog(connection, default_catalog())
        yield connection


def test_only_new_or_changed_tickets_are_analysed(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    first = refresh_verdicts_before_build(conn)
    assert (first.analysed, first.total) == (4, 4)
    assert refresh_verdicts(conn).analysed == 0

    changed = _tickets("Cloud: AWS\nEnvironment: prod\nEngine: MySQL 8.0")
    changed[2]["fields"]["updated"] = "2025-10-05T09:00:00.000+0000"  # type: ignore[index]
    ingest_files(conn, write_page(tmp_path / "page2.json", changed))
    again = refresh_verdicts(conn)

    assert again.analysed == 1
    missing = conn.sql(
        "select issue_key, list(field_id order by field_rank) from raw.triage_verdicts"
        " where not is_present group by issue_key order by issue_key"
    ).fetchall()
    assert missing == [("OPS-2", ["environment"])]  # MySQL 8.0: engine and version given


def test_documentation_gaps_count_the_analyzers_verdicts(conn: duckdb.DuckDBPyConnection) -> None:
    refresh_verdicts_before_build(conn)
    build_project(conn, load_project())

    fields = conn.sql(
        "select issue_key, field_id, is_present, evidence from int_tickets__required_fields"
        " where issue_key = 'OPS-3' and field_id = 'environment'"
    ).fetchall()
    assert fields == [("OPS-3", "environment", False, "")]
    (gaps,) = conn.sql(
        "select ticket_count, tickets_missing_fields, most_missing_fields"
        " from fct_documentation_gaps where category = 'rds' and request_template = '*'"
    ).fetchall()
    assert gaps == (3, 2, ["environment"])
    # a ticket of a category without required fields is counted in that category
    assert conn.sql(
        "select ticket_count from fct_documentation_gaps where category = 'other'"
    ).fetchall() == [(1,)]
