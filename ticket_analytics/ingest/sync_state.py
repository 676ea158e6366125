"""Where a Jira scope's sync progress lives: `meta.jira_sync_state` and `raw.issues.source`.

Both are keyed by the normalised scope, so reordering or respacing `JIRA_JQL` keeps the
watermark, counts and deletions of the scope it still is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from ticket_analytics.integrations.jira import split_order_by
from ticket_analytics.paths import SQL_DIR
from ticket_analytics.warehouse.connection import connect


def scope_key(scope: str) -> str:
    """The scope as stored: JQL without ORDER BY, whitespace collapsed, stripped."""
    restriction, _ = split_order_by(scope)
    return " ".join(restriction.split())


def source_name(scope: str) -> str:
    return f"jira:{scope_key(scope)}"


def read_state(warehouse: Path, scope: str) -> dict[str, Any]:
    with connect(warehouse) as conn:
        relation = conn.execute("select * from meta.jira_sync_state where scope = ?", [scope])
        columns = [d[0] for d in relation.description or []]
        rows = relation.fetchall()
    return dict(zip(columns, rows[0], strict=True)) if rows else {}


STATE_COLUMNS = (
    "flavor",
    "watermark",
    "last_sync_at",
    "last_full_pass_at",
    "jira_count",
    "warehouse_count",
)


def save_state(
    conn: duckdb.DuckDBPyConnection, scope: str, *, reset_watermark: bool = False, **values: Any
) -> None:
    """Upsert the scope's state; None leaves a value as stored, except a reset watermark."""
    params = {column: values.get(column) for column in STATE_COLUMNS}
    conn.execute(
        (SQL_DIR / "load" / "save_sync_state.sql").read_text(),
        {"scope": scope, "reset_watermark": reset_watermark, **params},
    )


def claim_older_spellings(warehouse: Path, key: str, source: str) -> None:
    """State and rows saved under another spelling of this scope (a raw JQL key, before
    normalisation) are this scope's: rename them so the watermark, counts and deletions
    carry over."""
    with connect(warehouse) as conn:
        states = conn.execute(
            "select scope from meta.jira_sync_state where scope <> ? "
            "order by last_sync_at desc nulls last",
            [key],
        ).fetchall()
        older_states = [s for (s,) in states if scope_key(s) == key]
        if older_states:
            current = conn.execute(
                "select count(*) from meta.jira_sync_state where scope = ?", [key]
            ).fetchall()[0][0]
            if not current:
                conn.execute(
                    "update meta.jira_sync_state set scope = ? where scope = ?",
                    [key, older_states.pop(0)],
                )
            conn.execute(
                "delete from meta.jira_sync_state where scope in (select unnest(?::varchar[]))",
                [older_states],
            )
        sources = conn.execute(
            "select distinct source from raw.issues where source like 'jira:%' and source <> ?",
            [source],
        ).fetchall()
        older = [s for (s,) in sources if source_name(s.removeprefix("jira:")) == source]
        if older:
            conn.execute(
                "update raw.issues set source = ? where source in (select unnest(?::varchar[]))",
                [source, older],
            )
