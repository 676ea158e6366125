"""Versioned migrations: an older warehouse upgrades in place instead of breaking."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from ticket_analytics.paths import MIGRATIONS_DIR
from ticket_analytics.warehouse.migrations import discover, migrate


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


def _warehouse_at_version(tmp_path: Path, version: int) -> duckdb.DuckDBPyConnection:
    """A warehouse as a release with migrations 1 .. `version` left it."""
    released = tmp_path / f"v{version}"
    released.mkdir()
    for migration in discover():
        if migration.version <= version:
            shutil.copy(migration.path, released)
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    migrate(conn, released)
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

    assert 9 in migrate(conn)
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
