"""Where a Jira scope's sync progress lives: `meta.jira_sync_state` and `raw.issues.source`.

Both are keyed by the normalised scope, so reordering or respacing `JIRA_JQL` keeps the
watermark, counts and deletions of the scope it still is.
"""

from __future__ import annotations

from typing import Any

import duckdb

from ticket_analytics.integrations.jira import split_order_by
from ticket_analytics.warehouse.sql_files import load_sql


def scope_key(scope: str) -> str:
    """The scope as stored: JQL without ORDER BY, whitespace collapsed, stripped."""
    restriction, _ = split_order_by(scope)
    return " ".join(restriction.split())


def source_name(scope: str) -> str:
    return f"jira:{scope_key(scope)}"


def read_state(conn: duckdb.DuckDBPyConnection, scope: str) -> dict[str, Any]:
    relation = conn.execute(load_sql("sync_read_state"), {"scope": scope})
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
    "time_zone",
)


def save_state(
    conn: duckdb.DuckDBPyConnection, scope: str, *, reset_watermark: bool = False, **values: Any
) -> None:
    """Upsert the scope's state; None leaves a value as stored, except a reset watermark."""
    params = {column: values.get(column) for column in STATE_COLUMNS}
    conn.execute(
        load_sql("save_sync_state"),
        {"scope": scope, "reset_watermark": reset_watermark, **params},
    )


def claim_older_spellings(conn: duckdb.DuckDBPyConnection, key: str, source: str) -> None:
    """State and rows saved under another spelling of this scope (a raw JQL key, before
    normalisation) are this scope's: rename them so the watermark, counts and deletions
    carry over."""
    states = conn.execute(load_sql("sync_other_scopes"), {"scope": key}).fetchall()
    older_states = [s for (s,) in states if scope_key(s) == key]
    if older_states:
        [(has_state,)] = conn.execute(load_sql("sync_has_state"), {"scope": key}).fetchall()
        if not has_state:
            conn.execute(
                load_sql("sync_rename_state"), {"scope": key, "older_scope": older_states.pop(0)}
            )
        conn.execute(load_sql("sync_delete_states"), {"scopes": older_states})
    sources = conn.execute(load_sql("sync_other_sources"), {"source": source}).fetchall()
    older = [s for (s,) in sources if source_name(s.removeprefix("jira:")) == source]
    if older:
        conn.execute(load_sql("sync_rename_sources"), {"source": source, "older_sources": older})
