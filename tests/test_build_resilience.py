"""After any ingest that succeeds, `build` succeeds: fields Jira may send as null never stop it.

Jira sends `null` for fields a field configuration hides or the account may not see; one such
ticket used to fail a blocking check and stop every model downstream for everyone.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from jira_builders import issue, write_page

from ticket_analytics.cli import main

NULLABLE = ("status", "issuetype", "priority", "reporter", "assignee", "resolution")
METRICS = (
    "select issue_key, category, status_category, lead_time_hours, cycle_time_hours,"
    " reopen_count, is_sla_breached from fct_tickets where issue_key not like 'NUL-%'"
    " order by issue_key"
)


def _healthy() -> list[dict[str, Any]]:
    return [
        issue(
            "OPS-1",
            "2025-10-01T09:00:00.000+0900",
            summary="Jenkins job 생성: order-api-build",
            transitions=[
                ("2025-10-01T10:00:00.000+0900", "Open", "In Progress"),
                ("2025-10-02T09:00:00.000+0900", "In Progress", "Resolved"),
            ],
            resolved="2025-10-02T09:00:00.000+0900",
        ),
        issue("OPS-2", "2025-10-05T09:00:00.000+0900", summary="RDS postgres 신규 DB 생성"),
    ]


def _cloud_with_nulls() -> list[dict[str, Any]]:
    """One Cloud ticket per nullable field, that field null, the description in ADF."""
    broken = []
    for number, name in enumerate(NULLABLE, start=1):
        ticket = issue(
            f"NUL-{number}",
            "2025-10-03T09:00:00.000+0900",
            summary=f"{name} hidden by the field configuration",
            transitions=[("2025-10-03T10:00:00.000+0900", "Open", "In Progress")],
        )
        ticket["fields"]["description"] = {
            "type": "doc",
            "version": 1,
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": "배포 요청"}]}],
        }
        ticket["id"] = str(10050 + number)
        ticket["fields"][name] = None
        broken.append(ticket)
    return broken


def _dc_with_nulls(shared: Path) -> dict[str, Any]:
    """Data Center search results (wiki text), each issue with one nullable field null."""
    page = json.loads((shared / "dc-v2-search-many-issues.jrjc.json").read_text(encoding="utf-8"))
    template = page["issues"][0]
    issues = []
    for number, name in enumerate(NULLABLE, start=1):
        dc = copy.deepcopy(template)
        dc["id"], dc["key"] = str(90000 + number), f"NUL-{100 + number}"
        dc["fields"]["description"] = "h2. 배포 요청\n* service: *order-api*"
        dc["fields"][name] = None
        issues.append(dc)
    return {**page, "issues": issues, "total": len(issues)}


def _build_metrics(warehouse_file: Path, pages: Path) -> list[tuple[Any, ...]]:
    assert main(["ingest", "--from", str(pages)]) == 0
    assert main(["build"]) == 0
    with duckdb.connect(str(warehouse_file), read_only=True) as conn:
        return conn.sql(METRICS).fetchall()


def test_tickets_with_null_fields_in_either_shape_never_stop_the_build(
    warehouse_file: Path, tmp_path: Path, jira_samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_dir, dirty_dir = tmp_path / "clean", tmp_path / "dirty"
    clean_dir.mkdir()
    dirty_dir.mkdir()
    write_page(clean_dir / "page-1.json", _healthy())
    write_page(dirty_dir / "page-1.json", _healthy() + _cloud_with_nulls())
    (dirty_dir / "page-2.json").write_text(
        json.dumps(_dc_with_nulls(jira_samples)), encoding="utf-8"
    )

    clean = _build_metrics(warehouse_file, clean_dir)
    warehouse_file.unlink()
    dirty = _build_metrics(warehouse_file, dirty_dir)

    assert dirty == clean, "a ticket with null fields changed the other tickets' metrics"
    with duckdb.connect(str(warehouse_file), read_only=True) as conn:
        loaded = conn.sql(
            "select issue_key, status, status_category, issue_type, priority from fct_tickets"
            " where issue_key like 'NUL-%' order by issue_key"
        ).fetchall()
        rejected = conn.sql("select count(*) from raw.rejected_issues").fetchall()[0][0]
    assert len(loaded) == 2 * len(NULLABLE) and rejected == 0
    by_key = {row[0]: row[1:] for row in loaded}
    # an unknown status is said so, never guessed as done
    assert by_key["NUL-1"][:2] == ("(unknown)", "unknown")
    assert by_key["NUL-2"][2] == "(unknown)" and by_key["NUL-3"][3] == "(unknown)"
    # the warnings name the tickets, the blocking checks all pass
    out = capsys.readouterr().out
    assert "(ERROR)" not in out
    assert "failed (WARN)" in out


def test_status_shapes_jira_may_send_never_stop_the_build(
    warehouse_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Jira's built-in "No Category" (key `undefined`) on a current status, and a status
    change whose target Jira does not name."""
    no_category = issue("ODD-91", "2025-10-03T09:00:00.000+0900", summary="배포 요청")
    no_category["fields"]["status"] = {
        "name": "Triage",
        "statusCategory": {"id": 1, "key": "undefined", "name": "No Category"},
    }
    unnamed = issue(
        "ODD-92",
        "2025-10-03T09:00:00.000+0900",
        transitions=[("2025-10-03T10:00:00.000+0900", "Open", "In Progress")],
    )
    item = unnamed["changelog"]["histories"][0]["items"][0]
    item.update({"to": None, "toString": None})
    write_page(tmp_path / "page.json", [*_healthy(), no_category, unnamed])

    assert main(["ingest", "--from", str(tmp_path / "page.json")]) == 0
    assert main(["build"]) == 0

    out = capsys.readouterr().out
    assert "(ERROR)" not in out and "gx_to_status_named" in out  # a warning names it
    with duckdb.connect(str(warehouse_file), read_only=True) as conn:
        statuses = dict(
            conn.sql("select status, status_category from int_jira__statuses").fetchall()
        )
        keys = conn.sql("select issue_key from fct_tickets where issue_key like 'ODD-%'").fetchall()
    assert statuses["Triage"] == "indeterminate"  # inferred from the name, as documented
    assert sorted(keys) == [("ODD-91",), ("ODD-92",)]
