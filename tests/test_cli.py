"""The command line drives the same assets as the UI, against a real DuckDB file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from ticket_analytics.cli import main


def test_ingest_build_and_sql_end_to_end(
    warehouse_file: Path, jira_samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", "--from", str(jira_samples)]) == 0
    assert main(["build", "--select", "stg_jira__issues", "stg_jira__status_changes"]) == 0
    out = capsys.readouterr().out
    assert "stg_jira__issues" in out and "rows" in out

    assert main(["sql", "select issue_key from stg_jira__issues where issue_key = 'TST-2'"]) == 0
    assert "TST-2" in capsys.readouterr().out

    with duckdb.connect(str(warehouse_file), read_only=True) as conn:
        assert conn.sql("select count(*) from stg_jira__status_changes").fetchall()[0][0] > 0


def test_ingest_of_malformed_json_fails_and_names_the_file(
    warehouse_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"issues": [}')
    assert main(["ingest", "--from", str(bad)]) != 0
    # the last line, the CLI's own summary under Dagster's log, says what went wrong
    summary = capsys.readouterr().err.strip().splitlines()[-1]
    assert (
        summary.startswith("error in raw_jira: ") and "bad.json: invalid JSON at line 1" in summary
    )


def test_ingest_of_a_missing_path_is_a_usage_error(warehouse_file: Path, tmp_path: Path) -> None:
    assert main(["ingest", "--from", str(tmp_path / "nope")]) == 2


@pytest.mark.parametrize("command", ["report", "build"])
def test_a_month_outside_the_partitions_is_a_usage_error_naming_them(
    warehouse_file: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """Not a Dagster traceback after part of the run wrote rows for the month."""
    assert main([command, "--month", "1999-01"]) == 2
    err = capsys.readouterr().err
    assert "1999-01 is not a month partition" in err and "TA_FIRST_MONTH" in err
    assert not warehouse_file.exists()


def test_a_missing_sql_file_or_unknown_model_is_a_usage_error(
    warehouse_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse_file.parent.mkdir(parents=True, exist_ok=True)
    duckdb.connect(str(warehouse_file)).close()
    assert main(["sql", str(tmp_path / "nope.sql")]) == 2
    assert "nope.sql: No such file or directory" in capsys.readouterr().err
    assert main(["build", "--select", "fct_tickets", "fct_nope"]) == 2
    assert capsys.readouterr().err.strip() == "--select: no such model or asset: fct_nope"


def test_sql_errors_are_reported_without_a_traceback(
    warehouse_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "p.json"
    page.write_text(json.dumps({"issues": []}))
    assert main(["ingest", "--from", str(page)]) == 0
    assert main(["sql", "select * from no_such_table"]) == 1
    assert "no_such_table" in capsys.readouterr().err


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(path), read_only=True) as conn:
        tables = conn.sql(
            "select schema_name, table_name from duckdb_tables() order by all"
        ).fetchall()
        return {
            f"{schema}.{table}": conn.sql(
                f'select * from "{schema}"."{table}" order by all'
            ).fetchall()
            for schema, table in tables
            # run bookkeeping: migrations applied, and the ledger that logs every LLM call
            if (schema, table) not in {("meta", "schema_migrations"), ("raw", "llm_calls")}
        }


def test_demo_runs_twice_and_leaves_the_same_warehouse(
    warehouse_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Where to look next" in out
    # one line for the monthly run, naming its range of months
    assert (
        len(re.findall(r"built fct_monthly_ops \[\d{4}-\d\d \.\. \d{4}-\d\d\] +\d+ rows", out)) == 1
    )
    first = _dump(warehouse_file)
    assert len(first["main.fct_tickets"]) > 2000
    assert first["raw.rejected_issues"] == []
    # one run builds the monthly marts for every complete month of the six sampled
    assert len({row[0] for row in first["main.fct_monthly_ops"]}) >= 5

    assert main(["demo"]) == 0
    second = _dump(warehouse_file)
    changed = sorted(name for name in first if first[name] != second.get(name))
    assert changed == [], f"a second demo changed {changed}"
    with duckdb.connect(str(tmp_path / "warehouse.snapshot.duckdb"), read_only=True) as snap:
        # the analysts' copy has what the demo's last steps wrote, as the README shows it
        assert snap.sql("select count(*) from raw.triage_decisions").fetchall()[0][0] > 0
        assert snap.sql("select count(*) from fct_biz_anomalies").fetchall()[0][0] >= 0

    capsys.readouterr()
    assert main(["sql", "sql/analyst/top_toil.sql"]) == 0
    # polars may wrap long column names to the terminal; the ticket keys are whole
    assert "OPS-" in capsys.readouterr().out
