"""Triage runs in-process: the local tracker (the demo), a sensor's run config against the
fake Jira, the CLI."""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from fakes.jira_server import FakeJira
from jira_builders import issue, write_page
from triage_support import COMPLETE, COMPLETED, INCOMPLETE, bot_comments, triage_resource

from ticket_analytics import cli_triage
from ticket_analytics.defs.triage.assets import TRIAGE_DECISIONS, run_config
from ticket_analytics.runner import run
from ticket_analytics.triage.local_tracker import LocalTracker
from ticket_analytics.warehouse.connection import connect
from ticket_analytics.warehouse.file_ingest import ingest_files


def _load_sample_tickets(warehouse: Path, tmp_path: Path) -> None:
    day = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT09:00:00.000+0000")
    page = write_page(
        tmp_path / "page.json",
        [
            issue("OPS-1", day, summary="Jenkins job 생성", description="Tool: Jenkins"),
            issue("OPS-2", day, summary=INCOMPLETE[0], description=INCOMPLETE[1]),
            issue("OPS-3", day, summary=COMPLETE[0], description=COMPLETE[1]),
        ],
    )
    with connect(warehouse) as conn:
        ingest_files(conn, page)


def _decisions(warehouse: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.sql(
            "select issue_key, action from raw.triage_decisions order by decided_at, issue_key"
        ).fetchall()


@pytest.mark.usefixtures("merged_defs")
def test_the_local_tracker_shows_triage_end_to_end_without_jira(
    warehouse_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _load_sample_tickets(warehouse_file, tmp_path)

    assert cli_triage.poll_once(seed_local=3) == 0

    assert "seeded 3 local tickets" in capsys.readouterr().out
    assert sorted(_decisions(warehouse_file)) == [
        ("OPS-1", "commented"),
        ("OPS-2", "commented"),
        ("OPS-3", "labelled_only"),
    ]
    with connect(warehouse_file) as conn:
        local = LocalTracker(conn)
        (asked,) = [c for c in local.comments("OPS-2") if c.by_bot]
        assert asked.marker is not None and "클라우드" in asked.text
        assert local.labels("OPS-2") == ["AI_ANALYZED", "NEEDS_INFO"]
        local.edit_description("OPS-2", COMPLETED)
        ((rate,),) = conn.sql(
            "select complete_at_creation_rate from fct_triage_completeness where category = 'all'"
        ).fetchall()
    assert rate == pytest.approx(1 / 3)

    assert cli_triage.poll_once() == 0
    assert cli_triage.poll_once() == 0  # the follow-up happened once; nothing is pending now

    with connect(warehouse_file) as conn:
        local = LocalTracker(conn)
        assert len([c for c in local.comments("OPS-2") if c.by_bot]) == 2
        assert local.labels("OPS-2") == ["AI_ANALYZED"]
        followups = conn.sql(
            "select commented_ticket_count, completed_after_comment_count"
            " from fct_triage_followups where category = 'all'"
        ).fetchall()
    assert followups == [(2, 1)]
    assert [a for k, a in _decisions(warehouse_file) if k == "OPS-2"][-1] == "followed_up"


@pytest.mark.usefixtures("merged_defs")
def test_the_demo_step_seeds_polls_and_draws_the_triage_charts(
    warehouse_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _load_sample_tickets(warehouse_file, tmp_path)

    assert cli_triage.demo_triage(count=3) == 0
    assert cli_triage.demo_triage(count=3) == 0  # twice: nothing new to say

    out = capsys.readouterr().out
    assert "the local tracker received 2 comments" in out
    assert len(_decisions(warehouse_file)) == 3
    page = (tmp_path / "reports" / "dashboard.html").read_text(encoding="utf-8")
    assert "Triage: time to first comment" in page


@pytest.mark.usefixtures("merged_defs")
def test_a_sensor_run_config_triages_exactly_its_keys_in_jira(
    warehouse_file: Path, jira: FakeJira
) -> None:
    chosen = jira.add_issue(summary=INCOMPLETE[0], description=INCOMPLETE[1])
    other = jira.add_issue(summary=INCOMPLETE[0], description=INCOMPLETE[1])

    result = run(
        dg.AssetSelection.groups("triage"),
        run_config=run_config([chosen]),
        resources={"triage": triage_resource(jira)},
    )

    assert result.success
    assert _decisions(warehouse_file) == [(chosen, "commented")]
    assert len(bot_comments(jira, chosen)) == 1 and bot_comments(jira, other) == []
    (materialization,) = [
        e.materialization
        for e in result.get_asset_materialization_events()
        if e.materialization and e.materialization.asset_key == TRIAGE_DECISIONS
    ]
    assert materialization.metadata["actions"].value == {"commented": 1}
    assert materialization.metadata["tracker"].value == f"jira-{jira.flavor}"
    assert materialization.metadata["latency_p95_s"].value is not None


@pytest.mark.usefixtures("merged_defs")
def test_two_live_runs_at_once_comment_once(warehouse_file: Path, jira: FakeJira) -> None:
    """A manual run (whatever is pending: the sensor cannot tell which tickets it holds) and
    a sensor's run over the same ticket at once: the second waits, then finds the comment."""
    key = jira.add_issue(summary=INCOMPLETE[0], description=INCOMPLETE[1])
    # the first pass's comment is stored only after two seconds: the other run starts meanwhile
    jira.slow_next(1, seconds=2.0, path="/comment", method="POST")
    resources = {"triage": triage_resource(jira)}
    # the pass alone: the models after it would open the warehouse in both runs at once,
    # which DuckDB refuses within one process (across processes it waits for the lock)
    selection = dg.AssetSelection.assets(TRIAGE_DECISIONS)
    with ThreadPoolExecutor(2) as pool:
        manual = pool.submit(run, selection, run_config=run_config([]), resources=resources)
        deadline = time.monotonic() + 30
        while not jira.requests_to("/comment", "POST") and time.monotonic() < deadline:
            time.sleep(0.02)
        sensor = pool.submit(run, selection, run_config=run_config([key]), resources=resources)
        assert manual.result().success and sensor.result().success

    assert len(bot_comments(jira, key)) == 1
    assert sorted(action for _, action in _decisions(warehouse_file)) == ["commented", "unchanged"]


def _cli(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="ticket-analytics")
    cli_triage.register(parser.add_subparsers(dest="command", required=True))
    parsed = parser.parse_args(args)
    return int(parsed.handler(parsed))


@pytest.mark.parametrize("page", ["cloud_search_page1.json", "dc_search.json"])
def test_the_input_cli_prints_what_the_bot_would_post_as_json(
    eval_dir: Path, page: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = _cli(
        ["triage", "--input", str(eval_dir / page), "--backend", "offline", "--dry-run", "--json"]
    )

    rows = json.loads(capsys.readouterr().out)
    assert status == 0 and rows
    assert all(
        set(row) == {"key", "category", "missing_fields", "present_fields", "comment"}
        for row in rows
    )
    assert all((row["comment"] is None) == (not row["missing_fields"]) for row in rows)
    asked = next(row for row in rows if row["missing_fields"])
    assert asked["comment"].splitlines()[-1].startswith("ta-triage:")


def test_the_input_cli_refuses_what_is_not_a_search_response(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "issue.json"
    bad.write_text('{"key": "OPS-1"}', encoding="utf-8")
    assert _cli(["triage", "--input", str(bad), "--dry-run", "--json"]) == 2
    assert "not a Jira search response" in capsys.readouterr().err
