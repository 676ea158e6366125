"""The LLM ledger and answer cache in the warehouse (``raw.llm_calls``, ``raw.llm_cache``).

DuckDB allows one writing process per file, and an LLM call takes seconds: a client that held
a connection across calls would lock every other writer out for the whole map. So the
``Ledger`` opens a short connection per operation (read the month's spend, look up the
cache, write a row) through the callable it is given, and never holds one while the
provider is thinking. A lock keeps this process's threads to one connection at a time.
Its caller must not hold a write connection to the same file while it calls the LLM.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import duckdb

from ticket_analytics.warehouse.sql_files import load_sql

Outcome = Literal["ok", "cached", "repaired", "invalid", "refused", "error", "budget_exceeded"]
Connect = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]
# The raw answer is kept for inspection, not as an archive: a runaway answer stays readable.
RAW_ANSWER_MAX_CHARS = 20_000


@dataclass(frozen=True)
class LedgerRow:
    call_id: str
    run_id: str
    partition_key: str
    role: str
    backend: str
    model: str
    schema_name: str
    schema_version: str
    prompt_hash: str
    attempt: int
    retries: int
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    cost_usd: float
    latency_ms: float
    outcome: Outcome
    raw_answer: str | None
    error: str | None
    called_at: datetime


def month_start(now: datetime) -> datetime:
    """The start of the billing month (UTC), from which the budget counts."""
    now = now.astimezone(UTC)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def record_call(conn: duckdb.DuckDBPyConnection, row: LedgerRow) -> None:
    params = asdict(row)
    if row.raw_answer is not None:
        params["raw_answer"] = row.raw_answer[:RAW_ANSWER_MAX_CHARS]
    conn.execute(load_sql("llm_record_call"), params)


def spent_since(conn: duckdb.DuckDBPyConnection, since: datetime) -> float:
    result = conn.execute(load_sql("llm_spent_since"), {"since": since}).fetchone()
    return float(result[0]) if result else 0.0


def cached_answer(
    conn: duckdb.DuckDBPyConnection, model: str, prompt_hash: str, schema_version: str
) -> str | None:
    params = {"model": model, "prompt_hash": prompt_hash, "schema_version": schema_version}
    result = conn.execute(load_sql("llm_cache_get"), params).fetchone()
    return str(result[0]) if result else None


def store_answer(
    conn: duckdb.DuckDBPyConnection,
    model: str,
    prompt_hash: str,
    schema_version: str,
    answer_json: str,
    created_at: datetime,
) -> None:
    conn.execute(
        load_sql("llm_cache_put"),
        {
            "model": model,
            "prompt_hash": prompt_hash,
            "schema_version": schema_version,
            "answer_json": answer_json,
            "created_at": created_at,
        },
    )


class Ledger:
    """Short-connection access to the ledger and cache; safe to share between threads."""

    def __init__(self, connect: Connect) -> None:
        self._connect = connect
        self._lock = threading.Lock()

    @classmethod
    def for_warehouse(cls, path: Path) -> Ledger:
        """A ledger on the warehouse file (migrated on first open, like every writer)."""
        from ticket_analytics.warehouse.connection import connect

        return cls(lambda: connect(path))

    @classmethod
    def in_connection(cls, conn: duckdb.DuckDBPyConnection) -> Ledger:
        """A ledger on a connection the caller keeps open (an in-memory database in tests)."""

        @contextmanager
        def borrowed() -> Iterator[duckdb.DuckDBPyConnection]:
            yield conn

        return cls(borrowed)

    def __repr__(self) -> str:
        return "Ledger()"

    def spent_this_month(self, now: datetime | None = None) -> float:
        since = month_start(now or datetime.now(UTC))
        with self._lock, self._connect() as conn:
            return spent_since(conn, since)

    def cached(self, model: str, prompt_hash: str, schema_version: str) -> str | None:
        with self._lock, self._connect() as conn:
            return cached_answer(conn, model, prompt_hash, schema_version)

    def record(self, row: LedgerRow, *, cache_answer: str | None = None) -> None:
        """Write a call's row, and its valid answer to the cache, in one transaction."""
        with self._lock, self._connect() as conn:
            conn.execute("begin transaction")
            try:
                record_call(conn, row)
                if cache_answer is not None:
                    store_answer(
                        conn,
                        row.model,
                        row.prompt_hash,
                        row.schema_version,
                        cache_answer,
                        row.called_at,
                    )
                conn.execute("commit")
            except BaseException:
                conn.execute("rollback")
                raise
