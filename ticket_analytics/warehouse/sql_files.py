"""The parameterised load and upsert statements kept as files under `sql/load/`."""

from __future__ import annotations

from functools import cache

from ticket_analytics.paths import SQL_DIR

LOAD_DIR = SQL_DIR / "load"


@cache
def load_sql(name: str) -> str:
    """The text of `sql/load/<name>.sql`, read once per process."""
    path = LOAD_DIR / f"{name}.sql"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"no SQL statement {name!r}: {path} does not exist") from exc
