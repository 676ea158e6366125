"""The LLM client through the real openai SDK against a local fake: answers, repairs,
retries, timeouts, Azure's shape, and credentials that never show."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
from fakes.openai_server import FakeOpenAI
from pydantic import BaseModel

from ticket_analytics.integrations.llm import (
    Ledger,
    LlmClient,
    LlmOutputError,
    LlmSettings,
    ServiceError,
)
from ticket_analytics.warehouse.connection import connect

MESSAGES = [
    {"role": "system", "content": "Classify the ticket."},
    {"role": "user", "content": "<ticket>OPS-1: please create an RDS for billing</ticket>"},
]
GOOD = {"ticket_key": "OPS-1", "category": "rds", "summary": "New RDS for billing", "note": None}


class Finding(BaseModel):
    ticket_key: str
    category: Literal["k8s_service", "rds", "access_request", "other"]
    summary: str
    note: str | None = None


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(cached_tokens=8) as server:
        yield server


@pytest.fixture
def azure() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(azure=True) as server:
        yield server


@pytest.fixture
def sleeps() -> list[float]:
    return []


def _client(fake: FakeOpenAI, path: Path, sleeps: list[float], **overrides: Any) -> LlmClient:
    options: dict[str, Any] = {"timeout_s": 0.5, "max_retries": 2, **overrides}
    settings = LlmSettings(**{**fake.settings_kwargs(), **options})
    return LlmClient(settings, Ledger.for_warehouse(path), sleep=sleeps.append)


def _rows(path: Path) -> list[dict[str, Any]]:
    with connect(path) as conn:
        cursor = conn.execute("select * from raw.llm_calls order by called_at, attempt")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_a_valid_answer_is_parsed_and_its_usage_and_cost_are_recorded(
    fake: FakeOpenAI, warehouse_file: Path, sleeps: list[float]
) -> None:
    fake.answer_json(GOOD)
    with _client(fake, warehouse_file, sleeps) as llm:
        result = llm.complete("map", MESSAGES, Finding, partition="2025-11|1", run_id="run-1")

    assert result.parsed == Finding.model_validate(GOOD)
    assert (result.outcome, result.cache_hit, result.model, result.backend) == (
        "ok",
        False,
        "gpt-4o-mini",
        "openai",
    )
    assert result.usage.prompt_tokens > 0 and result.usage.cached_tokens == 8
    [row] = _rows(warehouse_file)
    assert (row["run_id"], row["partition_key"], row["role"], row["outcome"]) == (
        "run-1",
        "2025-11|1",
        "map",
        "ok",
    )
    assert row["prompt_tokens"] == result.usage.prompt_tokens and row["cached_tokens"] == 8
    # gpt-4o-mini list prices per 1M: 0.15 input, 0.075 cached input, 0.60 output.
    expected = (
        (row["prompt_tokens"] - 8) * 0.15 + 8 * 0.075 + row["completion_tokens"] * 0.60
    ) / 1e6
    assert row["cost_usd"] == pytest.approx(expected)
    assert row["raw_answer"] is None

    [request] = fake.requests
    assert request.path == "/v1/chat/completions" and request.auth == "Bearer"
    assert request.body["model"] == "gpt-4o-mini" and request.body["temperature"] == 0
    schema = request.body["response_format"]["json_schema"]
    assert schema["name"] == "Finding" and schema["strict"] is True
    assert schema["schema"]["additionalProperties"] is False
    assert schema["schema"]["required"] == ["ticket_key", "category", "summary", "note"]


def test_the_reduce_role_uses_the_reduce_model(
    fake: FakeOpenAI, warehouse_file: Path, sleeps: list[float]
) -> None:
    fake.answer_json(GOOD)
    with _client(fake, warehouse_file, sleeps, reduce_model="gpt-4o-2024-08-06") as llm:
        result = llm.complete("reduce", MESSAGES, Finding, partition="2025-11", run_id="r")
    assert result.model == "gpt-4o-2024-08-06"
    assert fake.requests[0].body["model"] == "gpt-4o-2024-08-06"


def test_malformed_json_gets_one_repair_that_carries_the_error_back(
    fake: FakeOpenAI, warehouse_file: Path, sleeps: list[float]
) -> None:
    fake.answer_text('{"ticket_key": "OPS-1", "category": ')
    fake.answer_json(GOOD)
    with _client(fake, warehouse_file, sleeps) as llm:
        result = llm.complete("map", MESSAGES, Finding, partition="p", run_id="r")

    assert result.outcome == "repaired" and result.attempts == 2
    repair = fake.requests[1].body["messages"]
    assert repair[:2] == MESSAGES
    assert repair[2] == {"role": "assistant", "content": '{"ticket_key": "OPS-1", "category": '}
    assert "Invalid JSON" in repair[3]["content"]
    rows = _rows(warehouse_file)
    assert [r["outcome"] for r in rows] == ["invalid", "repaired"]
    assert rows[0]["raw_answer"] == '{"ticket_key": "OPS-1", "category": '
    assert result.usage.prompt_tokens == rows[0]["prompt_tokens"] + rows[1]["prompt_tokens"]


def test_an_answer_invalid_twice_raises_and_keeps_both_raw_answers(
    fake: FakeOpenAI, warehouse_file: Path, sleeps: list[float]
) -> None:
    fake.answer_json({**GOOD, "category": "database"})
    fake.answer_text("not json at all")
    with _client(fake, warehouse_file, sleeps) as llm, pytest.raises(LlmOutputError) as caught:
        llm.complete("map", MESSAGES, Finding, partition="p", run_id="r")

    assert caught.value.raw_answer == "not json at all"
    assert caught.value.call_id in str(caught.value)
    rows = _rows(warehouse_file)
    assert [r["outcome"] for r in rows] == ["invalid", "invalid"]
    assert "category" in rows[0]["error"] and '"database"' in rows[0]["raw_answer"]
    assert rows[1]["raw_answer"] == "not json at all"
    assert fake.calls == 2


def test_a_refusal_is_repaired_once_then_fails(
    fake: FakeOpenAI, warehouse_file: Path, sleeps: list[float]
) -> None:
    fake.refuse("I can't help with that.")
    fake.answer_json(GOOD)
    fake.refuse("Still no.")
    fake.refuse("No.")
    with _client(fake, warehouse_file, sleeps) as llm:
        assert (
            llm.complete("map", MESSAGES, Finding, partition="p", run_id="r").outcome == "repaired"
        )
        with pytest.raises(LlmOutputError, match="refused"):
            llm.complete("triage", MESSAGES, Finding, partition="OPS-2", run_id="r")

    rows = _rows(warehouse_file)
    assert [r["outcome"] for r in rows] == ["refused", "repaired", "refused", "refused"]
    assert rows[0]["raw_answer"] == "I can't help with that."


def test_an_answer_cut_off_at_the_token_limit_is_invalid_not_parsed(
    fake: FakeOpenAI, warehouse_file: Path, sleeps: list[float]
) -> None:
    fake.cut_off('{"ticket_key": "OPS-1"')
    fake.answer_json(GOOD)
    with _client(fake, warehouse_file, sleeps) as llm:
        assert llm.complete("map", MESSAGES, Finding, partition="p", run_id="r").attempts == 2
    assert "cut off" in _rows(warehouse_file)[0]["error"]


def test_429_waits_what_retry_after_says_then_succeeds(
    fake: FakeOpenAI, warehouse_file: Path, sleeps: list[float]
) -> None:
    fake.fail(429, headers={"Retry-After": "7"}, message="Rate limit reached")
    fake.answer_json(GOOD)
    with _client(fake, warehouse_file, sleeps) as llm:
        result = llm.complete("map", MESSAGES, Finding, partition="p", run_id="r")

    assert result.outcome == "ok"
    assert sleeps == [7.0]
    [row] = _rows(warehouse_file)
    assert row["retries"] == 1 and row["outcome"] == "ok"


def test_retry_after_beyond_the_cap_waits_the_cap(
    fake: FakeOpenAI, warehouse_file: Path, sleeps: list[float]
) -> None:
    fake.fail(429, headers={"Retry-After": "3600"})
    fake.answer_json(GOOD)
    with _client(fake, warehouse_file, sleeps, retry_after_max_s=90.0) as llm:
        llm.complete("map", MESSAGES, Finding, partition="p", run_id="r")
    assert sleeps == [90.0]


def test_5xx_backs_off_with_jitter_and_gives_up_as_a_service_error(
    fake: FakeOpenAI, warehouse_file: Path, sleeps: list[float]
) -> None:
    for _ in range(3):
        fake.fail(502, message="upstream hiccup")
    with _client(fake, warehouse_file, sleeps) as llm, pytest.raises(ServiceError) as caught:
        llm.complete("map", MESSAGES, Finding, partition="p", run_id="r")

    error = caught.value
    assert (error.service, error.method, error.path, error.status) == (
        "OpenAI",
        "POST",
        "/v1/chat/completions",
        502,
    )
    assert "gave up after 3 attempts" in str(error) and "upstream hiccup" in str(error)
    assert len(sleeps) == 2 and 0 <= sleeps[0] <= 0.5 and 0 <= sleeps[1] <= 1.0
    [row] = _rows(warehouse_file)
    assert (row["outcome"], row["retries"], row["cost_usd"]) == ("error", 2, 0.0)
    assert "502" in row["error"]


def test_a_client_error_is_not_retried(
    fake: FakeOpenAI, warehouse_file: Path, sleeps: list[float]
) -> None:
    fake.fail(400, message="Invalid schema for response_format 'Finding'")
    with (
        _client(fake, warehouse_file, sleeps) as llm,
        pytest.raises(ServiceError, match="Invalid schema"),
    ):
        llm.complete("map", MESSAGES, Finding, partition="p", run_id="r")
    assert fake.calls == 1 and sleeps == []


def test_a_slow_answer_times_out_and_is_retried(
    fake: FakeOpenAI, warehouse_file: Path, sleeps: list[float]
) -> None:
    fake.slow(2.0, GOOD)
    fake.answer_json(GOOD)
    with _client(fake, warehouse_file, sleeps, timeout_s=0.3) as llm:
        result = llm.complete("map", MESSAGES, Finding, partition="p", run_id="r")
    assert result.outcome == "ok" and fake.calls == 2 and len(sleeps) == 1


def test_timeouts_past_the_retries_fail_with_no_http_status(
    fake: FakeOpenAI, warehouse_file: Path, sleeps: list[float]
) -> None:
    fake.slow(2.0, GOOD)
    fake.slow(2.0, GOOD)
    with (
        _client(fake, warehouse_file, sleeps, timeout_s=0.3, max_retries=1) as llm,
        pytest.raises(ServiceError, match="no HTTP response") as caught,
    ):
        llm.complete("map", MESSAGES, Finding, partition="p", run_id="r")
    assert caught.value.status is None and "Timeout" in caught.value.detail
    assert _rows(warehouse_file)[0]["outcome"] == "error"


def test_azure_sends_deployment_path_api_version_and_api_key_header(
    azure: FakeOpenAI, warehouse_file: Path, sleeps: list[float]
) -> None:
    azure.answer_json(GOOD)
    with _client(azure, warehouse_file, sleeps, map_model="ops-mini") as llm:
        result = llm.complete("map", MESSAGES, Finding, partition="p", run_id="r")

    assert result.backend == "azure" and result.model == "ops-mini"
    [request] = azure.requests
    assert request.path == "/openai/deployments/ops-mini/chat/completions"
    assert request.query["api-version"] == ["2024-10-21"]
    assert request.auth == "api-key"
    assert request.body["response_format"]["json_schema"]["strict"] is True


def test_azure_errors_name_the_service_and_deployment_path(
    azure: FakeOpenAI, warehouse_file: Path, sleeps: list[float]
) -> None:
    azure.fail(404, message="The API deployment for this resource does not exist.")
    with _client(azure, warehouse_file, sleeps) as llm, pytest.raises(ServiceError) as caught:
        llm.complete("reduce", MESSAGES, Finding, partition="p", run_id="r")
    assert caught.value.service == "Azure OpenAI"
    assert caught.value.path == "/openai/deployments/gpt-4o/chat/completions"


def test_the_key_never_shows_in_logs_errors_reprs_or_the_ledger(
    warehouse_file: Path, sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong_key = "sk-wrong-secret-5f1d2c3b4a"
    with FakeOpenAI() as fake:
        fake.fail(503, headers={"Retry-After": "1"})
        fake.answer_json(GOOD)
        with _client(fake, warehouse_file, sleeps) as llm:
            llm.complete("map", MESSAGES, Finding, partition="p", run_id="r")
            shown = [repr(llm), str(llm.settings), repr(llm.settings)]
        settings = {**fake.settings_kwargs(), "openai_api_key": wrong_key}
        llm = LlmClient(
            LlmSettings(**settings, max_retries=0, use_cache=False),
            Ledger.for_warehouse(warehouse_file),
            sleep=sleeps.append,
        )
        # The fake's 401 echoes the key it was given, as a careless server would.
        with llm, pytest.raises(ServiceError) as caught:
            llm.complete("map", MESSAGES, Finding, partition="p", run_id="r")
        shown += [repr(llm), repr(llm.settings)]

    assert caught.value.status == 401 and "check OPENAI_API_KEY" in str(caught.value)
    everything = "\n".join(
        [
            *shown,
            str(caught.value),
            repr(caught.value),
            caplog.text,
            *map(str, _rows(warehouse_file)),
        ]
    )
    for key in (fake.api_key, wrong_key):
        assert key not in everything
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_settings_refuse_missing_keys_and_urls_with_credentials() -> None:
    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        LlmSettings(backend="openai")
    with pytest.raises(ValueError, match="must not carry credentials") as caught:
        LlmSettings(backend="openai", openai_api_key="k", openai_base_url="https://u:sk-pw@h/v1")
    assert "sk-pw" not in str(caught.value)
    with pytest.raises(ValueError, match="one of"):
        LlmSettings(backend="anthropic")
