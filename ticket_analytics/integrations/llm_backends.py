"""Where an LLM answer comes from: the OpenAI SDK (OpenAI, any compatible server, Azure) or
handlers the caller registers for offline runs. A backend sends one request and returns the
raw answer with its usage; validation, repair, cache, budget and ledger are the client's.

The SDK's own retries are off (``max_retries=0``): they cap Retry-After at 2 minutes and
back off their own way, where the project's policy (``integrations.http``) honours server
hints up to 10 minutes and backs off with full jitter. This module runs that policy around
each SDK call, reading the hint with ``http_answers.server_hint``.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx
import openai
from pydantic import BaseModel

from ticket_analytics.integrations.http import ServiceError
from ticket_analytics.integrations.http_answers import error_detail, server_hint
from ticket_analytics.integrations.llm_schema import response_format
from ticket_analytics.integrations.llm_settings import LlmSettings
from ticket_analytics.integrations.llm_tokens import count_message_tokens, count_tokens

log = logging.getLogger(__name__)

Message = Mapping[str, str]
OfflineHandler = Callable[[Sequence[Message]], BaseModel]

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_HINTED_STATUSES = frozenset({429, 503})


class LlmServiceError(ServiceError):
    """A provider call that failed for good; ``retries`` says how hard we tried."""

    def __init__(
        self, service: str, path: str, status: int | None, detail: str, retries: int = 0
    ) -> None:
        super().__init__(service, "POST", path, status, detail)
        self.retries = retries


@dataclass(frozen=True)
class RawAnswer:
    content: str | None
    refusal: str | None
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    retries: int = 0


class Backend(Protocol):
    name: str

    def send(
        self,
        model: str,
        messages: Sequence[Message],
        schema: type[BaseModel],
        max_output_tokens: int,
    ) -> RawAnswer: ...

    def close(self) -> None: ...


class OfflineBackend:
    """Answers from handlers registered per schema; never invents, never touches the network.

    The handler's object is serialised and then validated by the client like any provider's
    answer, so offline output is held to the same schema.
    """

    name = "offline"

    def __init__(self, handlers: Mapping[type[BaseModel], OfflineHandler]) -> None:
        self._handlers = dict(handlers)

    def send(
        self,
        model: str,
        messages: Sequence[Message],
        schema: type[BaseModel],
        max_output_tokens: int,
    ) -> RawAnswer:
        handler = self._handlers.get(schema)
        if handler is None:
            raise LookupError(
                f"offline LLM backend: no handler registered for {schema.__name__}; pass "
                "offline_handlers={" + schema.__name__ + ": callable} to the client"
            )
        answer = handler(messages)
        content = answer.model_dump_json() if isinstance(answer, BaseModel) else str(answer)
        return RawAnswer(
            content, None, "stop", count_message_tokens(messages), count_tokens(content), 0
        )

    def close(self) -> None:
        pass


class SdkBackend:
    """Chat Completions through the ``openai`` SDK under the project's retry policy."""

    def __init__(
        self,
        name: str,
        service: str,
        client: openai.OpenAI,
        path_for: Callable[[str], str],
        settings: LlmSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        key_hint: str,
    ) -> None:
        self.name, self.service = name, service
        self._client, self._path_for = client, path_for
        self._settings, self._policy = settings, settings.policy
        self._secrets = settings.secrets()
        self._sleep, self._key_hint = sleep, key_hint
        self._rng = random.Random()

    def __repr__(self) -> str:
        return f"SdkBackend({self.service!r})"

    def close(self) -> None:
        self._client.close()

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _wait(self, retry: int, status: int | None, headers: Any) -> float:
        policy = self._policy
        if status in _HINTED_STATUSES and headers is not None:
            hint = server_hint(
                httpx.Response(status, headers=list(headers.items())), datetime.now(UTC)
            )
            if hint is not None:
                return min(hint, policy.retry_after_max_s)
        return self._rng.uniform(0.0, min(policy.backoff_max_s, policy.backoff_base_s * 2**retry))

    def _detail(self, exc: openai.APIStatusError) -> str:
        return self._redact(error_detail(exc.response, f"check {self._key_hint}"))

    def send(
        self,
        model: str,
        messages: Sequence[Message],
        schema: type[BaseModel],
        max_output_tokens: int,
    ) -> RawAnswer:
        path = self._path_for(model)
        options: dict[str, Any] = {self._settings.max_tokens_param: max_output_tokens}
        if self._settings.temperature is not None:
            options["temperature"] = self._settings.temperature
        retries = 0
        while True:
            status: int | None = None
            headers: Any = None
            try:
                # Messages and response_format are built as plain dicts; the SDK's TypedDict
                # overloads add nothing here.
                completions: Any = self._client.chat.completions
                completion = completions.create(
                    model=model,
                    messages=[dict(m) for m in messages],
                    response_format=response_format(schema),
                    **options,
                )
                return _raw_answer(completion, messages, retries)
            except openai.APIStatusError as exc:
                status, headers = exc.status_code, exc.response.headers
                reason = f"HTTP {status}"
                if status not in _RETRY_STATUSES or retries >= self._policy.max_retries:
                    detail = self._detail(exc)
                    if status in _RETRY_STATUSES:
                        detail = f"gave up after {retries + 1} attempts: {detail}"
                    raise LlmServiceError(self.service, path, status, detail, retries) from None
            except openai.APIConnectionError as exc:
                # Timeouts land here too. `from None`: the SDK error holds the request headers.
                reason = type(exc).__name__
                if retries >= self._policy.max_retries:
                    detail = f"{reason} after {retries + 1} attempts (timeout {self._policy.timeout_s:g}s)"
                    raise LlmServiceError(self.service, path, None, detail, retries) from None
            except openai.OpenAIError as exc:
                # An answer the SDK could not read (a compatible server's odd reply): final.
                detail = self._redact(f"{type(exc).__name__}: {exc}")[:500]
                raise LlmServiceError(self.service, path, None, detail, retries) from None
            wait = self._wait(retries, status, headers)
            retries += 1
            log.warning(
                "%s POST %s: %s; retry %d/%d in %.2fs",
                self.service,
                path,
                reason,
                retries,
                self._policy.max_retries,
                wait,
            )
            self._sleep(wait)


def _raw_answer(completion: Any, messages: Sequence[Message], retries: int) -> RawAnswer:
    if not completion.choices:
        return RawAnswer(None, None, None, 0, 0, 0, retries)
    choice = completion.choices[0]
    message = choice.message
    usage = completion.usage
    if usage is not None:
        details = usage.prompt_tokens_details
        cached = int(getattr(details, "cached_tokens", 0) or 0) if details is not None else 0
        prompt, completion_tokens = int(usage.prompt_tokens), int(usage.completion_tokens)
    else:
        # Some compatible servers omit usage; our own count beats recording nothing.
        cached = 0
        prompt = count_message_tokens(messages)
        completion_tokens = count_tokens(message.content or "")
    return RawAnswer(
        message.content,
        getattr(message, "refusal", None),
        choice.finish_reason,
        prompt,
        completion_tokens,
        cached,
        retries,
    )


def make_backend(
    settings: LlmSettings,
    offline_handlers: Mapping[type[BaseModel], OfflineHandler] | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> Backend:
    if settings.backend == "offline":
        return OfflineBackend(offline_handlers or {})
    common: dict[str, Any] = {"timeout": settings.timeout_s, "max_retries": 0}
    if settings.backend == "azure":
        azure = openai.AzureOpenAI(
            azure_endpoint=settings.azure_endpoint,
            api_key=settings.azure_api_key,
            api_version=settings.azure_api_version,
            **common,
        )
        return SdkBackend(
            "azure",
            "Azure OpenAI",
            azure,
            lambda model: f"/openai/deployments/{model}/chat/completions",
            settings,
            sleep=sleep,
            key_hint="AZURE_OPENAI_API_KEY",
        )
    client = openai.OpenAI(
        api_key=settings.openai_api_key, base_url=settings.openai_base_url or None, **common
    )
    base_path = urlsplit(str(client.base_url)).path.rstrip("/")
    return SdkBackend(
        "openai",
        "OpenAI",
        client,
        lambda model: f"{base_path}/chat/completions",
        settings,
        sleep=sleep,
        key_hint="OPENAI_API_KEY",
    )
