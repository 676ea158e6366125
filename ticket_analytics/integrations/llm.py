"""One LLM interface for the monthly analysis and triage: structured answers, a ledger row
per call, a cache, a monthly budget and rate limits, whatever the backend.

    settings = LlmSettings(backend="openai", openai_api_key=key)
    with LlmClient(settings, Ledger.for_warehouse(path)) as llm:
        result = llm.complete("map", messages, BatchAnalysis, partition="2025-11|3", run_id=run)
        result.parsed  # a validated BatchAnalysis

A call is answered from the cache when the same model was asked the same prompt for the same
schema before (zero provider calls). Otherwise the budget is checked against the month's
spend in the ledger plus this call's estimate, and the answer is validated against the
schema; an invalid answer or a refusal gets one repair attempt with the error sent back,
then ``LlmOutputError``. The offline backend skips cache and budget: it costs nothing and a
cached answer would go stale when its handlers change.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Self, TypeVar

from pydantic import BaseModel, ValidationError

from ticket_analytics.integrations.http import ServiceError
from ticket_analytics.integrations.llm_backends import (
    Backend,
    LlmServiceError,
    Message,
    OfflineHandler,
    RawAnswer,
    make_backend,
)
from ticket_analytics.integrations.llm_ledger import Ledger, LedgerRow, month_start
from ticket_analytics.integrations.llm_limits import Limiter
from ticket_analytics.integrations.llm_prices import DEFAULT_PRICES, PriceTable, load_prices
from ticket_analytics.integrations.llm_results import (
    LlmBudgetExceeded,
    LlmOutputError,
    LlmResult,
    Usage,
    problem_with,
    repair_messages,
)
from ticket_analytics.integrations.llm_schema import prompt_hash, schema_version
from ticket_analytics.integrations.llm_settings import LlmSettings, Role
from ticket_analytics.integrations.llm_tokens import count_message_tokens, count_tokens

__all__ = [
    "Ledger",
    "LlmBudgetExceeded",
    "LlmClient",
    "LlmOutputError",
    "LlmResult",
    "LlmServiceError",
    "LlmSettings",
    "Message",
    "OfflineHandler",
    "Role",
    "ServiceError",
    "Usage",
    "count_tokens",
]

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)


class LlmClient:
    """Thread-safe; holds no warehouse connection between ledger operations."""

    def __init__(
        self,
        settings: LlmSettings,
        ledger: Ledger,
        *,
        offline_handlers: Mapping[type[BaseModel], OfflineHandler] | None = None,
        backend: Backend | None = None,
        prices: PriceTable | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self._ledger = ledger
        self._backend = backend or make_backend(settings, offline_handlers, sleep=sleep)
        self._prices = prices or load_prices(settings.prices or DEFAULT_PRICES)
        self._limiter = Limiter(
            max_concurrency=settings.max_concurrency,
            requests_per_minute=settings.requests_per_minute,
            tokens_per_minute=settings.tokens_per_minute,
            sleep=sleep,
        )
        self._clock = clock
        self._budget_lock = threading.Lock()
        self._reserved = 0.0
        self._offline = self._backend.name == "offline"
        self._caching = settings.use_cache and not self._offline
        for model in sorted({settings.map_model, settings.reduce_model}):
            if not self._offline and not self._prices.is_listed(model):
                log.warning("LLM model %r has no price in the table; using the fallback", model)

    def __repr__(self) -> str:
        s = self.settings
        return f"LlmClient(backend={self._backend.name!r}, map={s.map_model!r}, reduce={s.reduce_model!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._backend.close()

    @property
    def backend(self) -> str:
        return self._backend.name

    def complete(
        self,
        role: Role,
        messages: Sequence[Message],
        schema: type[T],
        *,
        partition: str,
        run_id: str,
    ) -> LlmResult[T]:
        model = self.settings.model_for(role)
        max_out = self.settings.max_output_tokens(role)
        base = LedgerRow(
            call_id="",
            run_id=run_id,
            partition_key=partition,
            role=role,
            backend=self._backend.name,
            model=model,
            schema_name=schema.__name__,
            schema_version=schema_version(schema),
            prompt_hash=prompt_hash(messages, max_out),
            attempt=1,
            retries=0,
            prompt_tokens=0,
            completion_tokens=0,
            cached_tokens=0,
            cost_usd=0.0,
            latency_ms=0.0,
            outcome="ok",
            raw_answer=None,
            error=None,
            called_at=self._clock(),
        )
        cached = self._from_cache(base, schema)
        if cached is not None:
            return cached
        total, latency, sent = Usage(), 0.0, list(messages)
        for attempt in (1, 2):
            row = replace(base, call_id=str(uuid.uuid4()), attempt=attempt, called_at=self._clock())
            with self._budgeted(row, sent, max_out) as estimate_tokens:
                raw, row = self._send(row, sent, schema, max_out, estimate_tokens)
                usage = Usage(
                    row.prompt_tokens, row.completion_tokens, row.cached_tokens, row.cost_usd
                )
                total, latency = total + usage, latency + row.latency_ms
                outcome, problem, value = problem_with(raw, schema)
                if value is not None:
                    outcome = "ok" if attempt == 1 else "repaired"
                    keep = value.model_dump_json() if self._caching else None
                    self._ledger.record(replace(row, outcome=outcome), cache_answer=keep)
                    log.info(
                        "LLM %s %s on %s: %s, %d+%d tokens, $%.5f",
                        *(role, schema.__name__, model, outcome),
                        *(usage.prompt_tokens, usage.completion_tokens, usage.cost_usd),
                    )
                    backend = self._backend.name
                    return LlmResult(value, total, False, model, backend, latency, outcome, attempt)
                said = raw.content if raw.content is not None else raw.refusal
                self._ledger.record(replace(row, outcome=outcome, raw_answer=said, error=problem))
            log.warning("LLM %s %s attempt %d: %s", role, schema.__name__, attempt, problem)
            if attempt == 2:
                raise LlmOutputError(schema.__name__, problem, said, row.call_id)
            sent = repair_messages(messages, raw, problem)
        raise AssertionError("unreachable")

    def _from_cache(self, base: LedgerRow, schema: type[T]) -> LlmResult[T] | None:
        if not self._caching:
            return None
        started = time.perf_counter()
        answer = self._ledger.cached(base.model, base.prompt_hash, base.schema_version)
        if answer is None:
            return None
        try:
            value = schema.model_validate_json(answer)
        except ValidationError:
            # Same schema, stricter validators since: ask again rather than serve it.
            return None
        elapsed = (time.perf_counter() - started) * 1000
        row = replace(base, call_id=str(uuid.uuid4()), outcome="cached", latency_ms=elapsed)
        self._ledger.record(row)
        return LlmResult(value, Usage(), True, base.model, self._backend.name, elapsed, "cached", 0)

    @contextmanager
    def _budgeted(self, row: LedgerRow, messages: Sequence[Message], max_out: int) -> Iterator[int]:
        """Reserve the call's worst case until its row (with the real cost) is recorded."""
        tokens = count_message_tokens(messages)
        estimate = 0.0 if self._offline else self._prices.cost(row.model, tokens, max_out)
        self._reserve(row, estimate)
        try:
            yield tokens
        finally:
            with self._budget_lock:
                self._reserved -= estimate

    def _send(
        self,
        row: LedgerRow,
        messages: Sequence[Message],
        schema: type[BaseModel],
        max_out: int,
        estimate_tokens: int,
    ) -> tuple[RawAnswer, LedgerRow]:
        """One provider call (with its HTTP retries); the row gains its usage and cost."""
        started = time.perf_counter()
        try:
            with self._limiter.slot(estimate_tokens + max_out):
                raw = self._backend.send(row.model, messages, schema, max_out)
        except LlmServiceError as exc:
            elapsed = (time.perf_counter() - started) * 1000
            self._ledger.record(
                replace(
                    row, outcome="error", retries=exc.retries, latency_ms=elapsed, error=str(exc)
                )
            )
            raise
        elapsed = (time.perf_counter() - started) * 1000
        cost = 0.0
        if not self._offline:
            cost = self._prices.cost(
                row.model, raw.prompt_tokens, raw.completion_tokens, raw.cached_tokens
            )
        return raw, replace(
            row,
            retries=raw.retries,
            prompt_tokens=raw.prompt_tokens,
            completion_tokens=raw.completion_tokens,
            cached_tokens=raw.cached_tokens,
            cost_usd=cost,
            latency_ms=elapsed,
        )

    def _reserve(self, row: LedgerRow, estimate: float) -> None:
        """Count this call's worst case against the budget before it is made.

        Calls in flight in other threads are reserved too, so parallel batches cannot each
        pass the check and overshoot together.
        """
        limit = self.settings.monthly_budget_usd
        if limit is None or self._offline:
            return
        with self._budget_lock:
            now = self._clock()
            spent = self._ledger.spent_this_month(now)
            if spent + self._reserved + estimate <= limit:
                self._reserved += estimate
                return
            in_flight = self._reserved
        message = (
            f"LLM budget: ${spent:.4f} spent since {month_start(now):%Y-%m-%d} (UTC)"
            f"{f' + ${in_flight:.4f} in flight' if in_flight else ''} + up to ${estimate:.4f} "
            f"for this {row.role} call on {row.model} would exceed LLM_MONTHLY_BUDGET_USD="
            f"{limit:g}; no call made. Raise the budget or wait for next month."
        )
        self._ledger.record(replace(row, outcome="budget_exceeded", error=message))
        raise LlmBudgetExceeded(message)
