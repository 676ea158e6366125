"""What the LLM layer is configured with: backend, credentials, models, budget and limits."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from ticket_analytics.integrations.http import RetryPolicy, mask

Role = Literal["map", "reduce", "triage"]
BACKENDS = ("offline", "openai", "azure")
_SECRETS = frozenset({"openai_api_key", "azure_api_key"})


@dataclass(frozen=True)
class LlmSettings:
    """One field per setting; the environment names are in the comments.

    ``monthly_budget_usd`` None means no limit. A month of the monthly analysis costs cents
    at list prices, so the default only stops runaway loops (triage polling, backfills).
    """

    backend: str = "offline"  # LLM_BACKEND
    openai_api_key: str = ""  # OPENAI_API_KEY
    openai_base_url: str = ""  # OPENAI_BASE_URL (vLLM, Ollama, llama.cpp, LiteLLM, Azure v1)
    azure_endpoint: str = ""  # AZURE_OPENAI_ENDPOINT
    azure_api_key: str = ""  # AZURE_OPENAI_API_KEY
    azure_api_version: str = "2024-10-21"  # AZURE_OPENAI_API_VERSION
    map_model: str = "gpt-4o-mini"  # LLM_MAP_MODEL (Azure: a deployment name)
    reduce_model: str = "gpt-4o"  # LLM_REDUCE_MODEL
    monthly_budget_usd: float | None = 10.0  # LLM_MONTHLY_BUDGET_USD
    map_max_output_tokens: int = 8_000
    reduce_max_output_tokens: int = 4_000
    triage_max_output_tokens: int = 1_000
    # Deterministic answers make the cache honest; None leaves it out (o-series reject it).
    temperature: float | None = 0.0
    # gpt-4o and most OpenAI-compatible servers take max_tokens; o-series and newer models
    # insist on max_completion_tokens.
    max_tokens_param: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    max_concurrency: int = 4
    requests_per_minute: float = 500.0
    tokens_per_minute: float = 200_000.0
    use_cache: bool = True
    prices_path: str = ""  # empty: the packaged llm_prices.yaml
    timeout_s: float = 120.0
    max_retries: int = 6
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    retry_after_max_s: float = 600.0

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"LLM backend must be one of {BACKENDS}, got {self.backend!r}")
        if self.backend == "openai" and not self.openai_api_key:
            raise ValueError("LLM_BACKEND=openai needs OPENAI_API_KEY")
        if self.backend == "azure" and not (self.azure_endpoint and self.azure_api_key):
            raise ValueError(
                "LLM_BACKEND=azure needs AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY"
            )
        for name, url in (
            ("OPENAI_BASE_URL", self.openai_base_url),
            ("AZURE_OPENAI_ENDPOINT", self.azure_endpoint),
        ):
            parts = urlsplit(url)
            if url and (parts.scheme not in ("http", "https") or not parts.hostname):
                raise ValueError(f"{name} must be an absolute http(s) URL")
            if parts.username or parts.password:
                # Refused without echoing the URL: it would carry the very secret.
                raise ValueError(f"{name} must not carry credentials; use the API key setting")
        if self.monthly_budget_usd is not None and self.monthly_budget_usd < 0:
            raise ValueError("LLM_MONTHLY_BUDGET_USD cannot be negative")
        if (
            min(
                self.map_max_output_tokens,
                self.reduce_max_output_tokens,
                self.triage_max_output_tokens,
            )
            < 1
        ):
            raise ValueError("max output tokens must be >= 1")
        _ = self.policy  # retry settings are checked now, not at the first call

    @property
    def policy(self) -> RetryPolicy:
        return RetryPolicy.of(self)

    @property
    def prices(self) -> Path | None:
        return Path(self.prices_path) if self.prices_path else None

    def model_for(self, role: Role) -> str:
        """Triage is a cheap per-ticket call, so it shares the map's model."""
        return self.reduce_model if role == "reduce" else self.map_model

    def max_output_tokens(self, role: Role) -> int:
        return {
            "map": self.map_max_output_tokens,
            "reduce": self.reduce_max_output_tokens,
            "triage": self.triage_max_output_tokens,
        }[role]

    def secrets(self) -> tuple[str, ...]:
        """The values that must never appear in a log, an error or the ledger."""
        return tuple(s for s in (self.openai_api_key, self.azure_api_key) if s)

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f.name}={mask(getattr(self, f.name)) if f.name in _SECRETS else repr(getattr(self, f.name))}"
            for f in fields(self)
        )
        return f"LlmSettings({shown})"

    __str__ = __repr__
