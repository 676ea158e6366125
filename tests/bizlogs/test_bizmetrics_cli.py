"""`ticket-analytics bizmetrics --logs PATH [--infra PATH]`: the same assets, in-process."""

from __future__ import annotations

import argparse
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ticket_analytics.cli_bizmetrics import register


def _main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="ticket-analytics")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args))


def test_bizmetrics_prints_rows_rejects_and_the_page(
    project_defs: dg.Definitions,
    ticket_warehouse: Path,
    logs: Path,
    infra: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _main(["bizmetrics", "--logs", str(logs), "--infra", str(infra)]) == 0
    out = capsys.readouterr().out
    assert "180 new events, 2 rejected marker lines" in out
    assert "missing_event: 1" in out and "invalid_json: 1" in out
    assert "6 points read" in out
    assert str(tmp_path / "reports" / "business.html") in out
    assert (tmp_path / "reports" / "business.html").exists()


def test_without_infra_nothing_but_the_logs_is_imported(
    project_defs: dg.Definitions, ticket_warehouse: Path, logs: Path
) -> None:
    assert _main(["bizmetrics", "--logs", str(logs)]) == 0
    with duckdb.connect(str(ticket_warehouse), read_only=True) as conn:
        counts = conn.sql(
            "select (select count(*) from raw.biz_events), (select count(*) from raw.infra_metrics)"
        ).fetchall()
    assert counts == [(180, 0)]


def test_a_missing_path_is_a_usage_error(
    warehouse_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _main(["bizmetrics", "--logs", str(tmp_path / "nope")]) == 2
    assert "no such file or directory" in capsys.readouterr().err


def test_without_the_ticket_models_it_says_to_build_them_first(
    project_defs: dg.Definitions,
    warehouse_file: Path,
    logs: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _main(["bizmetrics", "--logs", str(logs)]) == 2
    assert "fct_tickets" in capsys.readouterr().err
    assert not warehouse_file.exists()
