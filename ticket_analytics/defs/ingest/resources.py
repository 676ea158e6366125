"""The Jira resource: connection settings whose secrets come from `dg.EnvVar`s."""

import dagster as dg
from pydantic import Field

from ticket_analytics.integrations.jira import JiraClient, JiraSettings


class JiraResource(dg.ConfigurableResource):
    """Jira Cloud (email + API token) or Data Center (personal access token).

    Unconfigured (no url) means "no Jira here": ingestion then loads files instead.
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
        if not self.jql:
            raise dg.Failure("JIRA_JQL is empty: set the sync scope, e.g. 'project = OPS'")
        settings = JiraSettings(
            url=self.url,
            flavor=self.flavor or "auto",
            email=self.email,
            api_token=self.api_token,
            pat=self.pat,
        )
        return JiraClient(settings)
