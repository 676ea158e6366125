"""Batches: at most 50 tickets, under the token budget, and stable when the month is re-run."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import duckdb
import pytest
from analysis_support import MONTH

from ticket_analytics.analysis.batches import (
    BATCH_KEYS,
    MAX_BATCHES,
    BatchConfig,
    MonthTooLargeError,
    assign_batches,
)
from ticket_analytics.analysis.mapper import plan_batches
from ticket_analytics.analysis.tickets import MonthTicket

CREATED = datetime(2025, 10, 1, tzinfo=UTC)


def _tickets(count: int, start: int = 1) -> list[MonthTicket]:
    return [
        MonthTicket(
            issue_id=str(10_000 + n),
            issue_key=f"OPS-{n}",
            issue_type="Task",
            status_category="done",
            priority="Medium",
            summary=f"request {n}",
            description="",
            components=(),
            labels=(),
            created_at=CREATED,
            resolved_at=None,
        )
        for n in range(start, start + count)
    ]


def _flat(plan: dict[str, list[MonthTicket]]) -> dict[str, str]:
    return {t.issue_id: batch for batch, tickets in plan.items() for t in tickets}


def _one(_: MonthTicket) -> int:
    return 100


def test_every_ticket_lands_in_exactly_one_batch_of_at_most_fifty() -> None:
    tickets = _tickets(730)
    plan = assign_batches(tickets, _one)
    assert tuple(plan) == BATCH_KEYS
    assert sorted(_flat(plan)) == sorted(t.issue_id for t in tickets)
    assert max(len(b) for b in plan.values()) <= 50
    # the unused tail of the static batch dimension is empty, not missing
    used = [key for key, batch in plan.items() if batch]
    assert used == list(BATCH_KEYS[: len(used)])


def test_the_same_month_gives_the_same_batches_in_any_input_order() -> None:
    tickets = _tickets(480)
    assert assign_batches(tickets, _one) == assign_batches(list(reversed(tickets)), _one)


def test_a_backdated_ticket_moves_no_other_ticket() -> None:
    tickets = _tickets(300)
    before = _flat(assign_batches(tickets, _one))
    backdated = replace(_tickets(1, start=9_999)[0], created_at=datetime(2025, 10, 1, tzinfo=UTC))
    after = _flat(assign_batches([backdated, *tickets], _one))
    assert {k: after[k] for k in before} == before


def test_growing_past_a_batch_threshold_moves_few_tickets() -> None:
    small = _tickets(200)
    grown = _tickets(300)
    before = _flat(assign_batches(small, _one))
    after = _flat(assign_batches(grown, _one))
    moved = sum(before[k] != after[k] for k in before)
    batches_after = len({*after.values()})
    # consistent hashing: only the share of tickets the new batches take moves
    assert batches_after > len({*before.values()})
    assert moved / len(before) <= 1 - len({*before.values()}) / batches_after + 0.1


def test_the_token_budget_splits_batches_before_the_ticket_limit() -> None:
    plan = assign_batches(_tickets(120), _one, BatchConfig(max_tickets=50, max_prompt_tokens=2_000))
    assert max(len(b) for b in plan.values()) <= 20


def test_a_month_beyond_the_batch_dimension_is_refused() -> None:
    with pytest.raises(MonthTooLargeError, match="exceed 20 batches of 50"):
        assign_batches(_tickets(MAX_BATCHES * 50 + 1), _one)


def test_a_ticket_over_the_token_budget_alone_is_refused_by_key() -> None:
    with pytest.raises(MonthTooLargeError, match="OPS-1"):
        assign_batches(_tickets(1), _one, BatchConfig(max_prompt_tokens=50))


def test_a_re_run_on_the_warehouse_plans_the_same_batches(built: duckdb.DuckDBPyConnection) -> None:
    first = plan_batches(built, MONTH)
    assert first == plan_batches(built, MONTH)
    assert sum(len(b) for b in first.values()) > 50
