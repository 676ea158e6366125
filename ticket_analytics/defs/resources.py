"""Resources shared by every domain."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field

from ticket_analytics.integrations.jira import JiraClient, JiraSettings
from ticket_analytics.paths import warehouse_path
from ticket_analytics.warehouse.connection import connect


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse. Runs are its only writer and hold it only briefly."""

    path: str = ""

    @property
    def file(self) -> Path:
        return Path(self.path).resolve() if self.path else warehouse_path()

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with connect(self.file, read_only=read_only) as conn:
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
