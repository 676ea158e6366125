"""Helpers for tests of the Jira client against the local fake."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from fakes.jira_server import FakeJira

from ticket_analytics.integrations.jira import JiraClient, JiraSettings

START = datetime(2025, 10, 1, tzinfo=UTC)
ORDERED = 'project = OPS AND updated >= "2025/10/01 00:00" ORDER BY updated ASC, key ASC'


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(fake: FakeJira, sleeps: Sleeps | None = None, **overrides: Any) -> JiraClient:
    settings = JiraSettings(**{**fake.settings_kwargs(), **overrides})
    return JiraClient(settings, sleep=sleeps if sleeps is not None else Sleeps())


def all_keys(client: JiraClient, jql: str = ORDERED, **kwargs: Any) -> list[str]:
    kwargs.setdefault("fields", ["summary", "updated"])
    return [issue["key"] for page in client.search(jql, **kwargs) for issue in page.issues]


def secrets_of(fake: FakeJira) -> list[str]:
    basic = base64.b64encode(f"{fake.email}:{fake.api_token}".encode()).decode()
    return [fake.email, fake.api_token, fake.pat, basic]
