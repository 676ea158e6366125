"""The map: one batch of a month's tickets -> one insight per ticket, stored idempotently.

An asset calls, with a short connection on each side of the LLM call (DuckDB allows one
writer; an LLM call takes seconds):

    with connect(path) as conn:
        tickets = batch_tickets(conn, month, batch)
    insights = analyse_batch(client, tickets, month, batch, run_id)
    with connect(path) as conn:
        save_insights(conn, month, batch, insights)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from ticket_analytics.analysis.batches import DEFAULT_BATCHES, BatchConfig, assign_batches
from ticket_analytics.analysis.prompts import map_messages, ticket_block
from ticket_analytics.analysis.schemas import MapAnswer, TicketInsightAnswer
from ticket_analytics.analysis.tickets import MonthTicket, month_tickets, sql
from ticket_analytics.integrations.llm import LlmClient
from ticket_analytics.integrations.llm_tokens import count_tokens
from ticket_analytics.warehouse.sql_files import load_sql


class MapIncompleteError(RuntimeError):
    """The model left tickets of a batch unanswered, even when asked for them again."""


@dataclass(frozen=True)
class TicketInsight:
    issue_id: str
    issue_key: str
    category: str
    sub_theme: str
    is_toil: bool
    toil_reason: str
    automation_idea: str
    missing_fields: tuple[str, ...]
    summary: str
    model: str
    backend: str
    batch: str
    prompt_hash: str


def ticket_tokens(ticket: MonthTicket) -> int:
    return count_tokens(ticket_block(ticket))


def plan_batches(
    conn: duckdb.DuckDBPyConnection, month: str, config: BatchConfig = DEFAULT_BATCHES
) -> dict[str, list[MonthTicket]]:
    """Every batch key -> the month's tickets in it (empty for unused keys)."""
    return assign_batches(month_tickets(conn, month), ticket_tokens, config)


def batch_tickets(
    conn: duckdb.DuckDBPyConnection, month: str, batch: str, config: BatchConfig = DEFAULT_BATCHES
) -> list[MonthTicket]:
    plan = plan_batches(conn, month, config)
    if batch not in plan:
        raise ValueError(f"unknown batch {batch!r}; batches are {min(plan)}..{max(plan)}")
    return plan[batch]


def batch_prompt_hash(tickets: Sequence[MonthTicket], month: str, batch: str) -> str:
    """Changes when anything the model would read for this batch changes."""
    messages = map_messages(tickets, month, batch)
    canonical = json.dumps(messages, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def analyse_batch(
    client: LlmClient,
    tickets: Sequence[MonthTicket],
    month: str,
    batch: str,
    run_id: str,
) -> list[TicketInsight]:
    """Ask the map model about `tickets`; every ticket gets exactly one insight.

    Answers for keys not in the batch are ignored; tickets the model skipped are asked for
    once more on their own, then the batch fails (`MapIncompleteError`) rather than report a
    month with holes.
    """
    if not tickets:
        return []
    partition = f"{month}|{batch}"
    by_key = {t.issue_key: t for t in tickets}
    answers: dict[str, tuple[TicketInsightAnswer, str, str]] = {}
    pending = list(tickets)
    for _ in range(2):
        result = client.complete(
            "map",
            map_messages(pending, month, batch),
            MapAnswer,
            partition=partition,
            run_id=run_id,
        )
        for answer in result.parsed.tickets:
            if answer.key in by_key and answer.key not in answers:
                answers[answer.key] = (answer, result.model, result.backend)
        pending = [t for t in tickets if t.issue_key not in answers]
        if not pending:
            break
    if pending:
        keys = ", ".join(t.issue_key for t in pending)
        raise MapIncompleteError(f"map {partition}: no answer for {keys} after a second request")
    prompt_hash = batch_prompt_hash(tickets, month, batch)
    return [
        _insight(ticket, *answers[ticket.issue_key], batch=batch, prompt_hash=prompt_hash)
        for ticket in tickets
    ]


def _insight(
    ticket: MonthTicket,
    answer: TicketInsightAnswer,
    model: str,
    backend: str,
    *,
    batch: str,
    prompt_hash: str,
) -> TicketInsight:
    return TicketInsight(
        issue_id=ticket.issue_id,
        issue_key=ticket.issue_key,
        category=str(answer.category.value),
        sub_theme=answer.sub_theme,
        is_toil=answer.is_toil,
        toil_reason=answer.toil_reason,
        automation_idea=answer.automation_idea,
        missing_fields=tuple(str(f.value) for f in answer.missing_information),
        summary=answer.summary,
        model=model,
        backend=backend,
        batch=batch,
        prompt_hash=prompt_hash,
    )


def save_insights(
    conn: duckdb.DuckDBPyConnection,
    month: str,
    batch: str,
    insights: Sequence[TicketInsight],
    analysed_at: datetime | None = None,
) -> int:
    """Upsert the batch's rows and drop the ones it no longer holds, in one transaction."""
    at = analysed_at or datetime.now(UTC)
    conn.execute("begin transaction")
    try:
        conn.execute(
            load_sql("llm_insights_delete_stale"),
            {"month": month, "batch": batch, "issue_ids": [i.issue_id for i in insights]},
        )
        for insight in insights:
            conn.execute(
                load_sql("llm_insights_upsert"),
                {
                    "issue_id": insight.issue_id,
                    "month": month,
                    "issue_key": insight.issue_key,
                    "category": insight.category,
                    "sub_theme": insight.sub_theme,
                    "is_toil": insight.is_toil,
                    "toil_reason": insight.toil_reason,
                    "automation_idea": insight.automation_idea,
                    "missing_fields": list(insight.missing_fields),
                    "summary": insight.summary,
                    "model": insight.model,
                    "backend": insight.backend,
                    "batch": batch,
                    "prompt_hash": insight.prompt_hash,
                    "analysed_at": at,
                },
            )
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return len(insights)


@dataclass(frozen=True)
class MapStatus:
    """Which of a month's batches the map must run (again) before the reduce, and why."""

    # a ticket of the batch has no insight, or the batch holds rows of tickets gone since
    missing: tuple[str, ...]
    # every ticket has an insight, but from an earlier prompt: edited since the batch ran
    edited: tuple[str, ...]


def map_status(
    conn: duckdb.DuckDBPyConnection, month: str, config: BatchConfig = DEFAULT_BATCHES
) -> MapStatus:
    written = {
        issue_id: (batch, prompt_hash)
        for issue_id, batch, prompt_hash in conn.execute(
            sql("batch_status"), {"month": month}
        ).fetchall()
    }
    plan = plan_batches(conn, month, config)
    live = {t.issue_id for tickets in plan.values() for t in tickets}
    holding_gone = {batch for issue_id, (batch, _) in written.items() if issue_id not in live}
    missing, edited = [], []
    for batch, tickets in plan.items():
        if batch in holding_gone or any(t.issue_id not in written for t in tickets):
            missing.append(batch)
        elif tickets:
            expected = (batch, batch_prompt_hash(tickets, month, batch))
            if any(written[t.issue_id] != expected for t in tickets):
                edited.append(batch)
    return MapStatus(tuple(missing), tuple(edited))


def missing_batches(
    conn: duckdb.DuckDBPyConnection, month: str, config: BatchConfig = DEFAULT_BATCHES
) -> list[str]:
    """Batch keys of the month to map (again): never run, failed, or stale (a ticket was
    added, edited or removed since the batch ran; a batch left with no tickets while it
    holds rows of tickets gone is mapped empty, which clears them)."""
    status = map_status(conn, month, config)
    return sorted(status.missing + status.edited)
