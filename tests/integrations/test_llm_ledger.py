"""Cache, budget, rate limits and the offline backend: what the ledger makes possible."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pytest
from fakes.openai_server import FakeOpenAI
from pydantic import BaseModel

from ticket_analytics.integrations.llm import (
    Ledger,
    LlmBudgetExceeded,
    LlmClient,
    LlmOutputError,
    LlmSettings,
    Message,
)
from ticket_analytics.integrations.llm_ledger import LedgerRow
from ticket_analytics.warehouse.connection import connect

MESSAGES = [
    {"role": "system", "content": "Summarise the month."},
    {"role": "user", "content": "<tickets>OPS-1 rds; OPS-2 k8s_service</tickets>"},
]
GOOD = {"headline": "Two requests", "categories": ["rds", "k8s_service"]}
NOW = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)


class Summary(BaseModel):
    headline: str
    categories: list[Literal["k8s_service", "rds", "other"]]


class Other(BaseModel):
    anything: int


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def _client(fake: FakeOpenAI, path: Path, **overrides: Any) -> LlmClient:
    settings = LlmSettings(**{**fake.settings_kwargs(), "max_retries": 0, **overrides})
    return LlmClient(settings, Ledger.for_warehouse(path), sleep=lambda _: None, clock=lambda: NOW)


def _outcomes(path: Path) -> list[tuple[str, float]]:
    with connect(path) as conn:
        rows = conn.execute("select outcome, cost_usd from raw.llm_calls order by called_at")
        return [(str(o), float(c)) for o, c in rows.fetchall()]


def _spent(path: Path, cost: float, called_at: datetime) -> None:
    row = LedgerRow(
        call_id=f"earlier-{called_at:%Y%m%d}",
        run_id="old",
        partition_key="p",
        role="reduce",
        backend="openai",
        model="gpt-4o",
        schema_name="Summary",
        schema_version="v",
        prompt_hash="h",
        attempt=1,
        retries=0,
        prompt_tokens=1,
        completion_tokens=1,
        cached_tokens=0,
        cost_usd=cost,
        latency_ms=1.0,
        outcome="ok",
        raw_answer=None,
        error=None,
        called_at=called_at,
    )
    Ledger.for_warehouse(path).record(row)


def test_the_same_prompt_again_is_answered_from_the_cache_with_zero_calls(
    fake: FakeOpenAI, warehouse_file: Path
) -> None:
    fake.answer_json(GOOD)
    with _client(fake, warehouse_file) as llm:
        first = llm.complete("reduce", MESSAGES, Summary, partition="2025-11", run_id="a")
    with _client(fake, warehouse_file) as llm:  # a re-run: a new client, same warehouse
        again = llm.complete("reduce", MESSAGES, Summary, partition="2025-11", run_id="b")

    assert fake.calls == 1
    assert again.parsed == first.parsed and again.cache_hit and again.outcome == "cached"
    assert again.usage.cost_usd == 0 and again.attempts == 0
    assert [o for o, _ in _outcomes(warehouse_file)] == ["ok", "cached"]
    assert _outcomes(warehouse_file)[1][1] == 0.0


def test_a_changed_prompt_schema_or_model_misses_the_cache(
    fake: FakeOpenAI, warehouse_file: Path
) -> None:
    class Summary2(Summary):
        note: str | None = None

    for _ in range(4):
        fake.answer_json({**GOOD, "note": None})
    changed = [*MESSAGES[:1], {"role": "user", "content": "<tickets>OPS-3 rds</tickets>"}]
    with _client(fake, warehouse_file) as llm:
        llm.complete("reduce", MESSAGES, Summary, partition="p", run_id="r")
        llm.complete("reduce", changed, Summary, partition="p", run_id="r")
        llm.complete("reduce", MESSAGES, Summary2, partition="p", run_id="r")
        llm.complete("map", MESSAGES, Summary, partition="p", run_id="r")
    assert fake.calls == 4


def test_only_valid_answers_are_cached(fake: FakeOpenAI, warehouse_file: Path) -> None:
    fake.answer_text("nope")
    fake.answer_text("still nope")
    fake.answer_json(GOOD)
    with _client(fake, warehouse_file) as llm:
        with pytest.raises(LlmOutputError):
            llm.complete("reduce", MESSAGES, Summary, partition="p", run_id="r")
        assert not llm.complete("reduce", MESSAGES, Summary, partition="p", run_id="r").cache_hit


def test_the_budget_stops_a_call_before_it_is_made(fake: FakeOpenAI, warehouse_file: Path) -> None:
    # gpt-4o with 4,000 output tokens allowed: up to $0.04 of output alone.
    with (
        _client(fake, warehouse_file, monthly_budget_usd=0.01) as llm,
        pytest.raises(LlmBudgetExceeded) as caught,
    ):
        llm.complete("reduce", MESSAGES, Summary, partition="2025-11", run_id="r")

    assert fake.calls == 0
    message = str(caught.value)
    assert "LLM_MONTHLY_BUDGET_USD=0.01" in message and "no call made" in message
    assert "gpt-4o" in message and "2025-11-01" in message
    assert _outcomes(warehouse_file) == [("budget_exceeded", 0.0)]


def test_the_budget_counts_this_months_spend_not_last_months(
    fake: FakeOpenAI, warehouse_file: Path
) -> None:
    _spent(warehouse_file, 9.0, datetime(2025, 10, 31, 23, 0, tzinfo=UTC))
    fake.answer_json(GOOD)
    with _client(fake, warehouse_file, monthly_budget_usd=1.0) as llm:
        assert llm.complete("reduce", MESSAGES, Summary, partition="p", run_id="r").outcome == "ok"

    _spent(warehouse_file, 0.99, datetime(2025, 11, 2, tzinfo=UTC))
    with (
        _client(fake, warehouse_file, monthly_budget_usd=1.0, use_cache=False) as llm,
        pytest.raises(LlmBudgetExceeded, match=r"\$0\.99"),
    ):
        llm.complete("reduce", MESSAGES, Summary, partition="p", run_id="r")
    assert fake.calls == 1


def test_no_budget_means_no_limit(fake: FakeOpenAI, warehouse_file: Path) -> None:
    _spent(warehouse_file, 1e6, NOW)
    fake.answer_json(GOOD)
    with _client(fake, warehouse_file, monthly_budget_usd=None) as llm:
        llm.complete("reduce", MESSAGES, Summary, partition="p", run_id="r")
    assert fake.calls == 1


def test_parallel_calls_stay_within_the_concurrency_limit(
    warehouse_file: Path,
) -> None:
    with FakeOpenAI(latency_s=0.15) as fake:
        for _ in range(6):
            fake.answer_json(GOOD)
        llm = _client(fake, warehouse_file, max_concurrency=2, use_cache=False)
        errors: list[BaseException] = []

        def call(i: int) -> None:
            try:
                llm.complete("map", MESSAGES, Summary, partition=f"b{i}", run_id="r")
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=call, args=(i,)) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        llm.close()
    assert errors == [] and fake.calls == 6
    assert fake.max_in_flight == 2
    assert [o for o, _ in _outcomes(warehouse_file)] == ["ok"] * 6


def _offline_summary(messages: Sequence[Message]) -> Summary:
    text = " ".join(m["content"] for m in messages)
    found = [c for c in ("k8s_service", "rds") if c in text]
    return Summary(headline=f"{len(found)} categories", categories=found or ["other"])  # type: ignore[arg-type]


def test_offline_answers_come_from_the_registered_handler_and_are_ledgered_free(
    warehouse_file: Path,
) -> None:
    settings = LlmSettings(monthly_budget_usd=0.0)  # offline costs nothing, so never stops
    with LlmClient(
        settings, Ledger.for_warehouse(warehouse_file), offline_handlers={Summary: _offline_summary}
    ) as llm:
        first = llm.complete("reduce", MESSAGES, Summary, partition="2025-11", run_id="r")
        second = llm.complete("reduce", MESSAGES, Summary, partition="2025-11", run_id="r")

    assert (
        first.parsed
        == second.parsed
        == Summary(headline="2 categories", categories=["k8s_service", "rds"])
    )
    assert (first.backend, first.outcome, first.usage.cost_usd) == ("offline", "ok", 0.0)
    assert first.usage.prompt_tokens > 0 and first.usage.completion_tokens > 0
    assert not second.cache_hit  # handlers may change between runs; offline is never stale
    assert _outcomes(warehouse_file) == [("ok", 0.0), ("ok", 0.0)]


def test_offline_output_is_held_to_the_schema(warehouse_file: Path) -> None:
    def wrong(messages: Sequence[Message]) -> BaseModel:
        return Other(anything=1)

    with LlmClient(
        LlmSettings(), Ledger.for_warehouse(warehouse_file), offline_handlers={Summary: wrong}
    ) as llm:
        with pytest.raises(LlmOutputError, match="does not match Summary"):
            llm.complete("map", MESSAGES, Summary, partition="p", run_id="r")
        with pytest.raises(LookupError, match="no handler registered for Other"):
            llm.complete("map", MESSAGES, Other, partition="p", run_id="r")
    assert [o for o, _ in _outcomes(warehouse_file)] == ["invalid", "invalid"]
