"""Analysts read a snapshot that never blocks a run and is never broken by one."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from jira_builders import issue, load_and_build, write_page

from ticket_analytics.paths import SQL_DIR, snapshot_path
from ticket_analytics.warehouse.connection import connect
from ticket_analytics.warehouse.snapshot import publish_snapshot

ANALYST_QUERIES = sorted((SQL_DIR / "analyst").glob("*.sql"))


def _tickets(count: int) -> list[dict]:
    return [
        issue(
            f"OPS-{n}",
            f"2025-10-{1 + n % 28:02d}T09:00:00.000+0900",
            summary=f"S3 버킷 생성 요청 - svc{n}-prod",
            transitions=[(f"2025-10-{1 + n % 28:02d}T18:00:00.000+0900", "Open", "Resolved")],
            resolved=f"2025-10-{1 + n % 28:02d}T18:00:00.000+0900",
        )
        for n in range(1, count + 1)
    ]


def _build(root: Path, count: int) -> Path:
    warehouse = root / "w.duckdb"
    with connect(warehouse) as conn:
        load_and_build(
            conn, write_page(root / f"page{count}.json", _tickets(count)), months=["2025-10"]
        )
        publish_snapshot(conn, warehouse)
    return warehouse


def _analyst(script: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("query", ANALYST_QUERIES, ids=lambda p: p.name)
def test_analyst_queries_run_on_the_snapshot_while_a_run_holds_the_warehouse(
    tmp_path: Path, query: Path
) -> None:
    warehouse = _build(tmp_path, 12)
    with connect(warehouse) as writer:  # a Dagster run, holding the file
        writer.execute("create or replace table main.busy as select 1")
        analyst = _analyst(
            f"""
            import duckdb
            conn = duckdb.connect({str(snapshot_path(warehouse))!r}, read_only=True)
            relation = conn.sql(open({str(query)!r}).read())
            print(len(relation.columns), len(relation.fetchall()))
            """
        )
        out, err = analyst.communicate(timeout=60)
    assert analyst.returncode == 0, err
    columns, _rows = map(int, out.split())
    assert columns >= 3


def test_an_open_analyst_session_neither_blocks_nor_sees_a_half_published_snapshot(
    tmp_path: Path,
) -> None:
    warehouse = _build(tmp_path, 5)
    analyst = _analyst(
        f"""
        import duckdb, sys
        conn = duckdb.connect({str(snapshot_path(warehouse))!r}, read_only=True)
        print(conn.sql("select count(*) from fct_tickets").fetchall()[0][0], flush=True)
        sys.stdin.readline()
        print(conn.sql("select count(*) from fct_tickets").fetchall()[0][0], flush=True)
        """
    )
    assert analyst.stdout is not None and analyst.stdin is not None
    assert analyst.stdout.readline().strip() == "5"
    _build(tmp_path, 9)  # a new run writes and publishes while the analyst keeps the file open
    out, err = analyst.communicate("\n", timeout=60)
    assert analyst.returncode == 0, err
    assert out.strip() == "5"  # the open session keeps its consistent version
    fresh = _analyst(
        f"""
        import duckdb
        print(duckdb.connect({str(snapshot_path(warehouse))!r}, read_only=True).sql("select count(*) from fct_tickets").fetchall()[0][0])
        """
    )
    assert fresh.communicate(timeout=60)[0].strip() == "9"
    assert not list(tmp_path.glob("*.partial*"))
