"""Resources shared by every domain."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
import duckdb
from pydantic import BaseModel, Field

from ticket_analytics.integrations.jira import JiraClient, JiraSettings
from ticket_analytics.paths import warehouse_path

if TYPE_CHECKING:
    # the openai SDK takes ~0.7 s to import: only runs that call a model pay for it
    from ticket_analytics.integrations.llm import LlmClient, LlmSettings, OfflineHandler
from ticket_analytics.warehouse.connection import ROW_GROUP_SIZE, connect


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse. Runs are its only writer and hold it only briefly."""

    path: str = ""

    @property
    def file(self) -> Path:
        return Path(self.path).resolve() if self.path else warehouse_path()

    @contextmanager
    def connect(
        self, *, read_only: bool = False, row_group_size: int = ROW_GROUP_SIZE
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        with connect(self.file, read_only=read_only, row_group_size=row_group_size) as conn:
            yield conn


class JiraResource(dg.ConfigurableResource):
    """Jira Cloud (email + API token) or Data Center (personal access token).

    Unconfigured (no url) means "no Jira here": ingestion then loads files instead. The sync
    scope (`jql`) is only the sync's concern: triage and publishing use Jira without it.
    """

    url: str = Field(default="", description="Base URL, e.g. https://example.atlassian.net")
    flavor: str = Field(default="auto", description="cloud, datacenter or auto (serverInfo)")
    # repr=False: secrets stay out of reprs, logs and Dagster's event text.
    email: str = Field(default="", repr=False, description="Cloud: the API token's account")
    api_token: str = Field(default="", repr=False, description="Cloud: API token")
    pat: str = Field(default="", repr=False, description="Data Center: personal access token")
    jql: str = Field(default="", description="The sync scope, e.g. project = OPS")

    @property
    def is_configured(self) -> bool:
        return bool(self.url)

    def client(self) -> JiraClient:
        if not self.is_configured:
            raise dg.Failure("Jira is not configured: set JIRA_URL (see README, 'Connecting Jira')")
        settings = JiraSettings(
            url=self.url,
            flavor=self.flavor or "auto",
            email=self.email,
            api_token=self.api_token,
            pat=self.pat,
        )
        return JiraClient(settings)

    def sync_scope(self) -> str:
        if not self.jql:
            raise dg.Failure("JIRA_JQL is empty: set the sync scope, e.g. 'project = OPS'")
        return self.jql


class LlmResource(dg.ConfigurableResource):
    """The LLM layer: `offline` (deterministic, no network: the default), `openai` (or any
    OpenAI-compatible server via `openai_base_url`) or `azure`. Every call is in the ledger
    (`raw.llm_calls`), answers are cached, and the monthly budget is checked before a call."""

    backend: str = Field(default="offline", description="offline, openai or azure")
    openai_api_key: str = Field(default="", repr=False)
    openai_base_url: str = Field(default="", description="any OpenAI-compatible server")
    azure_endpoint: str = Field(default="")
    azure_api_key: str = Field(default="", repr=False)
    azure_api_version: str = Field(default="2024-10-21")
    map_model: str = Field(default="gpt-4o-mini", description="cheap model: one call per batch")
    reduce_model: str = Field(default="gpt-4o", description="strong model: one call per month")
    monthly_budget_usd: str = Field(default="10", description="empty: no limit")

    def settings(self) -> LlmSettings:
        from ticket_analytics.integrations.llm import LlmSettings

        budget = self.monthly_budget_usd.strip()
        try:
            return LlmSettings(
                backend=self.backend or "offline",
                openai_api_key=self.openai_api_key,
                openai_base_url=self.openai_base_url,
                azure_endpoint=self.azure_endpoint,
                azure_api_key=self.azure_api_key,
                azure_api_version=self.azure_api_version or "2024-10-21",
                map_model=self.map_model or "gpt-4o-mini",
                reduce_model=self.reduce_model or "gpt-4o",
                monthly_budget_usd=float(budget) if budget else None,
            )
        except ValueError as exc:
            # LlmSettings' messages name the variable, never its value
            raise dg.Failure(f"LLM settings: {exc}") from None

    def client(
        self,
        warehouse: Path,
        offline_handlers: Mapping[type[BaseModel], OfflineHandler],
        conn: duckdb.DuckDBPyConnection | None = None,
    ) -> LlmClient:
        """A client whose ledger opens short connections to `warehouse`, or, for a run that
        holds the warehouse itself, writes through that run's `conn`."""
        from ticket_analytics.integrations.llm import Ledger, LlmClient

        ledger = Ledger.in_connection(conn) if conn is not None else Ledger.for_warehouse(warehouse)
        return LlmClient(self.settings(), ledger, offline_handlers=offline_handlers)

    @property
    def is_offline(self) -> bool:
        return (self.backend or "offline") == "offline"
