"""Where the monthly report goes: its settings, Confluence and Slack."""

from __future__ import annotations

import dagster as dg
from pydantic import Field

from ticket_analytics.integrations.confluence import ConfluenceClient, ConfluenceSettings
from ticket_analytics.integrations.slack import SlackClient, SlackSettings

LANGUAGES = ("en", "ko")


class ReportResource(dg.ConfigurableResource):
    """What the monthly report looks like: its language and title."""

    language: str = Field(default="en", description="REPORT_LANGUAGE: en or ko")
    title_prefix: str = Field(default="Ops Monthly Report", description="page title before YYYY-MM")

    def checked_language(self) -> str:
        language = (self.language or "en").lower()
        if language not in LANGUAGES:
            raise dg.Failure(f"REPORT_LANGUAGE must be one of {LANGUAGES}, got {language!r}")
        return language

    def title(self, month: str) -> str:
        return f"{self.title_prefix or 'Ops Monthly Report'} {month}"


class ConfluenceResource(dg.ConfigurableResource):
    """Confluence Cloud (v2 REST, email + API token). Unconfigured: the page stays a file."""

    url: str = Field(default="", description="e.g. https://example.atlassian.net")
    email: str = Field(default="", repr=False)
    api_token: str = Field(default="", repr=False)
    space_key: str = Field(default="", description="the space the monthly pages live in")
    parent_id: str = Field(default="", description="optional parent page id")

    @property
    def is_configured(self) -> bool:
        return bool(self.url and self.space_key)

    def client(self) -> ConfluenceClient:
        try:
            settings = ConfluenceSettings(url=self.url, email=self.email, api_token=self.api_token)
        except ValueError as exc:
            raise dg.Failure(f"Confluence settings: {exc}") from None
        return ConfluenceClient(settings)


class SlackResource(dg.ConfigurableResource):
    """Slack: an incoming webhook, or a bot token and a channel (chat.postMessage)."""

    webhook_url: str = Field(default="", repr=False, description="the URL is itself a secret")
    bot_token: str = Field(default="", repr=False)
    channel: str = Field(default="")

    @property
    def is_configured(self) -> bool:
        return bool(self.webhook_url or (self.bot_token and self.channel))

    def client(self) -> SlackClient:
        try:
            settings = SlackSettings(
                webhook_url=self.webhook_url, bot_token=self.bot_token, channel=self.channel
            )
        except ValueError as exc:
            raise dg.Failure(f"Slack settings: {exc}") from None
        return SlackClient(settings)
