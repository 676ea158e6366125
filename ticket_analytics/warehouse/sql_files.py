"""The parameterised statements kept as files: `sql/load/` (loaders) and `sql/analysis/`."""

from __future__ import annotations

from functools import cache

from ticket_analytics.paths import SQL_DIR


@cache
def load_sql(name: str, folder: str = "load") -> str:
    """The text of `sql/<folder>/<name>.sql`, read once per process."""
    path = SQL_DIR / folder / f"{name}.sql"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"no SQL statement {name!r}: {path} does not exist") from exc
