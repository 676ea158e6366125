"""Versioned migrations: an older warehouse upgrades in place instead of breaking."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from ticket_analytics.paths import MIGRATIONS_DIR
from ticket_analytics.warehouse import migrations
from ticket_analytics.warehouse.migrations import discover, is_current, migrate


def _versions(conn: duckdb.DuckDBPyConnection) -> list[int]:
    return [
        v for (v,) in conn.sql("select version from meta.schema_migrations order by 1").fetchall()
    ]


def test_an_older_warehouse_gets_only_the_new_migrations_and_keeps_its_data(tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    shutil.copy(MIGRATIONS_DIR / "0001_raw_landing_tables.sql", old)
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert migrate(conn, old) == [1]
    conn.execute(
        "insert into raw.rejected_issues values ('r1', 's', 'l', null, null, 'why', null, now())"
    )

    new = tmp_path / "new"
    shutil.copytree(old, new)
    (new / "0002_add_note.sql").write_text(
        "alter table raw.rejected_issues add column note varchar;"
    )
    assert migrate(conn, new) == [2]
    assert migrate(conn, new) == []
    assert _versions(conn) == [1, 2]
    assert conn.sql("select rejection_id, note from raw.rejected_issues").fetchall() == [
        ("r1", None)
    ]


def test_a_failing_migration_rolls_back_and_names_its_file(tmp_path: Path) -> None:
    directory = tmp_path / "m"
    directory.mkdir()
    (directory / "0001_ok.sql").write_text("create table t (a int);")
    (directory / "0002_broken.sql").write_text(
        "create table u (a int); select * from missing_table;"
    )
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    with pytest.raises(RuntimeError, match=r"0002_broken\.sql"):
        migrate(conn, directory)
    assert _versions(conn) == [1]
    tables = {t for (t,) in conn.sql("select table_name from information_schema.tables").fetchall()}
    assert "u" not in tables


def test_the_project_migrations_apply_to_an_empty_file(tmp_path: Path) -> None:
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    applied = migrate(conn)
    assert applied == sorted(applied) and applied[0] == 1
    assert migrate(conn) == []


def _released(tmp_path: Path, version: int) -> Path:
    """The migrations a release with migrations 1 .. `version` shipped."""
    released = tmp_path / f"v{version}"
    released.mkdir(exist_ok=True)
    for migration in discover():
        if migration.version <= version:
            shutil.copy(migration.path, released)
    return released


def _warehouse_at_version(tmp_path: Path, version: int) -> duckdb.DuckDBPyConnection:
    """A warehouse as a release with migrations 1 .. `version` left it."""
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    migrate(conn, _released(tmp_path, version))
    return conn


def test_dropping_the_raw_key_indexes_keeps_every_row(tmp_path: Path) -> None:
    conn = _warehouse_at_version(tmp_path, 5)
    conn.execute(
        "insert into raw.issues values ('1', 'OPS-1', 'OPS', now(), now(), null, 'd', '{}',"
        " 's', now(), null)"
    )
    conn.execute("insert into raw.changelog values ('1', 'h1', now(), '{}', 's', now())")
    conn.execute("insert into raw.comments values ('1', 'c1', now(), now(), 'b', '{}', 's', now())")

    assert 6 in migrate(conn)
    keys = conn.sql(
        "select table_name from duckdb_constraints() "
        "where schema_name = 'raw' and constraint_type = 'PRIMARY KEY'"
    ).fetchall()
    assert ("issues",) not in keys and ("changelog",) not in keys and ("comments",) not in keys
    rows = conn.sql(
        "select (select count(*) from raw.issues), (select count(*) from raw.changelog),"
        " (select count(*) from raw.comments)"
    ).fetchall()
    assert rows == [(1, 1, 1)]


def test_an_upgrade_parses_and_normalises_rows_landed_before(tmp_path: Path) -> None:
    conn = _warehouse_at_version(tmp_path, 6)
    issue = {
        "fields": {
            "summary": "Need RDS",
            "status": {"name": "Open", "statusCategory": {"key": "new"}},
            "priority": "not an object",
            "labels": ["db"],
        }
    }
    history = {"author": {"key": "kim"}, "items": [{"field": "status", "toString": "Done"}]}
    conn.execute(
        "insert into raw.issues values ('1', 'OPS-1', 'OPS', now(), now(), null, 'd', ?,"
        " 's', now(), null)",
        [json.dumps(issue)],
    )
    conn.execute(
        "insert into raw.changelog values ('1', 'h1', now(), ?, 's', now())", [json.dumps(history)]
    )
    conn.execute("insert into raw.comments values ('1', 'c1', now(), now(), 'b', '{}', 's', now())")

    assert {7, 8} <= set(migrate(conn))
    parsed = conn.sql(
        "select i.parsed.summary, i.parsed.status.statusCategory.key,"
        " i.parsed.priority.name, i.parsed.labels, h.parsed.author.key, h.parsed.items[1].toString, c.parsed.jsdPublic"
        " from raw.issues i, raw.changelog h, raw.comments c"
    ).fetchall()
    # a member of an unexpected type becomes null rather than failing the upgrade
    assert parsed == [("Need RDS", "new", None, ["db"], "kim", "Done", None)]
    searchable = conn.sql("select searchable_text from raw.issues").fetchall()
    assert searchable == [(" need rds d ",)]


def test_payloads_move_to_zstd_columns_with_their_values(tmp_path: Path) -> None:
    conn = _warehouse_at_version(tmp_path, 8)
    payload = json.dumps({"fields": {"summary": "긴급 ✓ <b>", "description": "x" * 5000}})
    conn.execute(
        "insert into raw.issues by name select '1' as issue_id, 'OPS-1' as issue_key,"
        " now() as created_at, now() as updated_at, ? as payload, 's' as source,"
        " now() as fetched_at",
        [payload],
    )
    conn.execute(
        "insert into raw.changelog by name select '1' as issue_id, 'h1' as history_id,"
        " now() as created_at, '{\"id\": \"h1\"}' as payload, 's' as source,"
        " now() as fetched_at"
    )
    conn.execute("checkpoint")
    schema = (
        "select table_name, column_index, column_name, data_type, is_nullable"
        " from duckdb_columns() where schema_name = 'raw' order by all"
    )
    before = conn.sql(schema).fetchall()

    # only migration 9: later ones add tables and members of their own
    assert migrate(conn, _released(tmp_path, 9)) == [9]
    conn.execute("checkpoint")
    assert conn.sql(schema).fetchall() == before
    assert conn.sql("select payload::varchar from raw.issues").fetchall() == [(payload,)]
    assert conn.sql("select payload->>'id' from raw.changelog").fetchall() == [("h1",)]
    columns = conn.sql(
        "select table_name, sql like '%payload JSON USING COMPRESSION ZSTD NOT NULL%'"
        " from duckdb_tables() where schema_name = 'raw'"
        " and table_name in ('issues', 'changelog', 'comments') order by 1"
    ).fetchall()
    assert columns == [("changelog", True), ("comments", True), ("issues", True)]
    with pytest.raises(duckdb.ConstraintException):
        conn.execute(
            "insert into raw.comments by name select '1' as issue_id, 'c1' as comment_id,"
            " now() as created_at, now() as updated_at, null as payload, 's' as source,"
            " now() as fetched_at"
        )


def test_an_upgrade_parses_the_time_tracking_of_rows_landed_before(tmp_path: Path) -> None:
    conn = _warehouse_at_version(tmp_path, 9)
    worklog = {"timeSpentSeconds": 5400, "started": "2025-10-01T10:00:00.000+0900"}
    issue = {
        "fields": {
            "summary": "Deploy",
            "status": {"name": "Done", "statusCategory": {"key": "done"}},
            "timespent": 7200,
            "timeoriginalestimate": 3600,
            "worklog": {"total": 2, "worklogs": [worklog, {**worklog, "timeSpentSeconds": 1800}]},
        }
    }
    conn.execute(
        "insert into raw.issues by name select '1' as issue_id, 'OPS-1' as issue_key,"
        " now() as created_at, now() as updated_at, ? as payload,"
        " raw.parse_issue(?) as parsed, 's' as source, now() as fetched_at",
        [json.dumps(issue), json.dumps(issue)],
    )

    assert 10 in migrate(conn)
    parsed = conn.sql(
        "select parsed.summary, parsed.status.name, parsed.timespent,"
        " parsed.timeoriginalestimate, parsed.worklog.total,"
        " [w.timeSpentSeconds for w in parsed.worklog.worklogs] from raw.issues"
    ).fetchall()
    assert parsed == [("Deploy", "Done", 7200, 3600, 2, [5400, 1800])]
    # the sync records the Jira profile zone beside its watermark
    columns = conn.sql(
        "select column_name from duckdb_columns() where schema_name = 'meta'"
        " and table_name = 'jira_sync_state'"
    ).fetchall()
    assert ("time_zone",) in columns


def test_a_migration_numbered_below_the_latest_applied_still_runs(tmp_path: Path) -> None:
    directory = tmp_path / "migrations"
    directory.mkdir()
    (directory / "0001_a.sql").write_text("create table a (x integer);", encoding="utf-8")
    (directory / "0003_c.sql").write_text("create table c (x integer);", encoding="utf-8")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        assert migrate(conn, directory) == [1, 3]
        (directory / "0002_b.sql").write_text("create table b (x integer);", encoding="utf-8")
        # the file list is read once per process; a new file arrives with a new release
        migrations._versions.cache_clear()
        assert not is_current(conn, directory)
        assert migrate(conn, directory) == [2]
        assert is_current(conn, directory)
