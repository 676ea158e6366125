"""Triage decisions into `raw.triage_decisions`, and the figures a run reports about them."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Sequence

import duckdb
import pyarrow as pa

from ticket_analytics.triage.service import Decision
from ticket_analytics.warehouse.sql_files import load_sql

_SCHEMA = pa.schema(
    [
        ("decision_id", pa.string()),
        ("issue_key", pa.string()),
        ("issue_id", pa.string()),
        ("category", pa.string()),
        ("present_fields", pa.string()),
        ("missing_fields", pa.list_(pa.string())),
        ("action", pa.string()),
        ("planned_action", pa.string()),
        ("analysis_hash", pa.string()),
        ("ticket_created_at", pa.timestamp("us", tz="UTC")),
        ("ticket_updated_at", pa.timestamp("us", tz="UTC")),
        ("latency_seconds", pa.float64()),
        ("tracker", pa.string()),
        ("backend", pa.string()),
        ("mode", pa.string()),
        ("comment_text", pa.string()),
        ("run_id", pa.string()),
        ("decided_at", pa.timestamp("us", tz="UTC")),
        ("error", pa.string()),
    ]
)


_RECHECKS = ("followed_up", "comment_updated", "unchanged")



def record_decisions(
    conn: duckdb.DuckDBPyConnection, decisions: Sequence[Decision], run_id: str | None = None
) -> int:
    """Append the decisions in one statement; returns how many."""
    if not decisions:
        return 0
    rows = [
        {
            "decision_id": d.decision_id,
            "issue_key": d.key,
            "issue_id": d.issue_id,
            "category": d.category,
            "present_fields": json.dumps(dict(d.present), ensure_ascii=False, sort_keys=True),
            "missing_fields": list(d.missing),
            "action": d.action,
            "planned_action": d.planned_action,
            "analysis_hash": d.analysis_hash,
            "ticket_created_at": d.created,
            "ticket_updated_at": d.updated,
            "latency_seconds": d.latency_seconds,
            "tracker": d.tracker,
            "backend": d.backend,
            "mode": d.mode,
            "comment_text": d.comment_text,
            "run_id": run_id,
            "decided_at": d.decided_at,
            "error": d.error,
        }
        for d in decisions
    ]
    table = pa.Table.from_pylist(rows, schema=_SCHEMA)
    conn.register("decisions", table)
    try:
        conn.execute(load_sql("triage_insert_decisions"))
    finally:
        conn.unregister("decisions")
    return len(rows)


def action_counts(decisions: Sequence[Decision]) -> dict[str, int]:
    return dict(sorted(Counter(d.action for d in decisions).items()))


def latency_percentiles(decisions: Sequence[Decision]) -> dict[str, float | None]:
    """p50 and p95 seconds from ticket creation to decision, over first-time analyses (a
    follow-up's latency measures the requester, not the bot)."""
    values = sorted(
        d.latency_seconds
        for d in decisions
        if d.latency_seconds is not None and d.action not in _RECHECKS
    )
    if not values:
        return {"p50": None, "p95": None}
    if len(values) == 1:
        return {"p50": round(values[0], 1), "p95": round(values[0], 1)}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": round(cuts[49], 1), "p95": round(cuts[94], 1)}
