"""Versioned DDL: `sql/migrations/NNNN_name.sql`, applied once each, in order, recorded."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from ticket_analytics.paths import MIGRATIONS_DIR

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise ValueError(f"{path}: migration files are named NNNN_snake_case.sql")
        migrations.append(Migration(int(match[1]), match[2], path))
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise ValueError(f"{directory}: two migrations share a version number")
    return migrations


@cache
def _versions(directory: Path) -> tuple[int, int]:
    """How many migrations there are, and the latest version."""
    versions = [m.version for m in discover(directory)]
    return len(versions), max(versions, default=0)


def is_current(conn: duckdb.DuckDBPyConnection, directory: Path = MIGRATIONS_DIR) -> bool:
    """One cheap query instead of reading every migration file on each short connection.

    Counted as well as the latest version: a migration numbered below one already applied
    (written on a branch, landed later) must still run.
    """
    try:
        rows = conn.execute(
            "select count(*), max(version) from meta.schema_migrations"
        ).fetchall()
    except duckdb.CatalogException:
        return False
    return tuple(rows[0]) == _versions(directory)


def migrate(conn: duckdb.DuckDBPyConnection, directory: Path = MIGRATIONS_DIR) -> list[int]:
    """Apply pending migrations, each in its own transaction; return the versions applied."""
    conn.execute("create schema if not exists meta")
    conn.execute(
        "create table if not exists meta.schema_migrations ("
        " version integer primary key, name varchar not null, applied_at timestamptz not null)"
    )
    rows = conn.execute("select version from meta.schema_migrations").fetchall()
    applied = {version for (version,) in rows}
    done = []
    for migration in discover(directory):
        if migration.version in applied:
            continue
        conn.execute("begin transaction")
        try:
            conn.execute(migration.path.read_text(encoding="utf-8"))
            conn.execute(
                "insert into meta.schema_migrations values (?, ?, now())",
                [migration.version, migration.name],
            )
            conn.execute("commit")
        except Exception as exc:
            conn.execute("rollback")
            raise RuntimeError(f"{migration.path}: migration failed: {exc}") from exc
        done.append(migration.version)
    return done
