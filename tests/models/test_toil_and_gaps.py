"""Toil templates, documentation gaps and incident trends on hand-made tickets."""

from __future__ import annotations

import duckdb
import pytest
from jira_builders import issue, load_and_build, write_page

from ticket_analytics.warehouse.connection import connect

S3_SUMMARIES = [
    ("2025-08-04", "S3 버킷 생성 요청 - pay-api-prod"),
    ("2025-08-20", "S3 버킷 생성 요청 - order-api-dev"),
    ("2025-09-02", "S3 버킷 생성 요청 - user-svc-stg"),
    ("2025-09-15", "s3 버킷 생성 요청 -  billing2-prod"),
    ("2025-10-01", "S3 버킷 생성 요청 - search-api-운영"),
    ("2025-10-21", "S3 버킷 생성 요청 - auth-api-dev"),
]
RESOLVED = [
    ("{day}T12:00:00.000+0900", "Open", "In Progress"),
    ("{day}T18:00:00.000+0900", "In Progress", "Resolved"),
]


def _s3_ticket(n: int, day: str, summary: str) -> dict:
    transitions = [(at.format(day=day), old, new) for at, old, new in RESOLVED]
    return issue(
        f"OPS-{n}",
        f"{day}T09:00:00.000+0900",
        summary=summary,
        description="Cloud: AWS\nEnvironment: prod\nResource type: S3 bucket"
        if n % 2
        else "버킷 하나 부탁드립니다",
        transitions=transitions,
        resolved=transitions[-1][0],
        components=["Storage"],
    )


TICKETS = [
    *(_s3_ticket(n, day, summary) for n, (day, summary) in enumerate(S3_SUMMARIES, start=1)),
    issue(
        "OPS-20",
        "2025-09-01T01:00:00.000+0000",
        summary="[장애] payment-api 502 에러",
        description="서비스명: payment-api\n증상: 502",
        priority="Highest",
        transitions=[("2025-09-01T03:00:00.000+0000", "Open", "Resolved")],
        resolved="2025-09-01T03:00:00.000+0000",
    ),
    issue(
        "OPS-21",
        "2025-09-20T01:00:00.000+0000",
        summary="[장애] payment-api 응답 없음",
        description="Service name: payment-api",
        priority="High",
        transitions=[("2025-09-20T05:00:00.000+0000", "Open", "Resolved")],
        resolved="2025-09-20T05:00:00.000+0000",
    ),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    root = tmp_path_factory.mktemp("toil")
    # A Seoul team: 12:00-18:00 KST in progress is six working hours (09-18) there, none in UTC.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TA_TIMEZONE", "Asia/Seoul")
        with connect(root / "w.duckdb") as conn:
            load_and_build(
                conn,
                write_page(root / "page.json", TICKETS),
                months=["2025-08", "2025-09", "2025-10"],
            )
            yield conn


def test_summaries_that_differ_only_by_ids_and_environments_share_a_template(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    templates = warehouse.sql(
        "select distinct request_template from int_tickets__request_templates where category = 'cloud_resource'"
    ).fetchall()
    assert templates == [("s3 버킷 생성 요청 <id>",)]


def test_the_recurring_template_is_a_ranked_toil_candidate(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    relation = warehouse.sql("select * from fct_toil_candidates")
    rows = [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]
    assert len(rows) == 1
    top = rows[0]
    assert (top["toil_rank"], top["ticket_count"], top["months_active"]) == (1, 6, 3)
    assert top["median_handling_hours"] == pytest.approx(6.0)
    assert top["tickets_per_month"] == pytest.approx(2.0)
    assert top["is_automatable"] and top["has_no_enduring_value"] and top["is_manual"]
    # 2 tickets every month while the total varies: no correlation with load.
    # 40 x (2 / 20) + 15 x 3 traits
    assert not top["scales_with_load"]
    assert top["toil_score"] == pytest.approx(49.0)
    assert top["automation_hours_saved_per_month"] == pytest.approx(0.8 * 2 * 6)
    assert top["example_issue_keys"][0] == "OPS-6"


def test_documentation_gaps_count_tickets_missing_required_fields(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    row = warehouse.sql(
        "select ticket_count, tickets_missing_fields, most_missing_fields from fct_documentation_gaps "
        "where category = 'cloud_resource' and request_template = '*'"
    ).fetchall()
    # every S3 ticket lacks 'purpose'; the even ones lack everything but the summary's words
    assert row[0][0] == 6 and row[0][1] == 6
    assert row[0][2][0] == "purpose"


def test_incident_trends_find_the_service_and_the_repeat(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    rows = warehouse.sql(
        "select month, service_name, incident_count, repeat_count, median_time_to_resolve_hours "
        "from fct_incident_trends order by month"
    ).fetchall()
    assert rows == [("2025-09", "payment-api", 2, 1, pytest.approx(3.0))]
