"""Triage against the local fake Jira (real HTTP, both flavours) and a tmp DuckDB."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import pytest
from fakes.jira_server import FakeJira
from jira_clients import Sleeps

from ticket_analytics.defs.resources import JiraResource
from ticket_analytics.defs.triage.resources import TriageResource
from ticket_analytics.integrations.jira import JiraClient, JiraSettings
from ticket_analytics.triage.service import Decision, Mode, triage_pending
from ticket_analytics.triage.tracker import JiraTracker, TriageQuery

INCOMPLETE = ("DB 생성 요청", "환경: stg\nMySQL 8.0")  # the cloud is missing
COMPLETED = "클라우드: AWS\n환경: stg\nMySQL 8.0"
COMPLETE = ("New RDS database for payments", "Cloud: AWS\nEnvironment: prod\nEngine: PostgreSQL 15")

Poll = Callable[..., list[Decision]]


@pytest.fixture(params=["cloud", "datacenter"])
def jira(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(request.param, time_zone="Asia/Seoul") as fake:
        yield fake


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def tracker_for(fake: FakeJira, sleeps: Sleeps, **overrides: object) -> JiraClient:
    settings = JiraSettings(**{**fake.settings_kwargs(), "max_retries": 2, **overrides})
    return JiraClient(settings, sleep=sleeps)


def triage_resource(fake: FakeJira, **overrides: object) -> TriageResource:
    """The Dagster resource pointed at the fake, as JIRA_* variables would configure it."""
    kwargs = fake.settings_kwargs()
    jira = JiraResource(
        url=kwargs["url"],
        flavor=kwargs["flavor"],
        email=kwargs.get("email", ""),
        api_token=kwargs.get("api_token", ""),
        pat=kwargs.get("pat", ""),
    )
    return TriageResource(jira=jira, **overrides)  # type: ignore[arg-type]


@pytest.fixture
def tracker(jira: FakeJira, sleeps: Sleeps) -> Iterator[JiraTracker]:
    with tracker_for(jira, sleeps) as client:
        yield JiraTracker(client)


@pytest.fixture
def poll(tracker: JiraTracker) -> Poll:
    """One poll of the default query; returns the decisions."""

    def run(mode: Mode = "live", **kwargs: object) -> list[Decision]:
        decisions, _ = triage_pending(tracker, TriageQuery(), mode, **kwargs)  # type: ignore[arg-type]
        return decisions

    return run


def writes(fake: FakeJira) -> list[tuple[str, str]]:
    """Every write the fake received: (method, path)."""
    return [(r.method, r.path) for r in fake.requests if r.method in ("POST", "PUT")
            and "/search" not in r.path]  # fmt: skip


def bot_comments(fake: FakeJira, key: str) -> list[object]:
    return [c.body for c in fake.get(key).comments if c.author == "svc-sync"]


@pytest.fixture
def merged_defs() -> dg.Definitions:
    """The project's definitions, triage included."""
    from ticket_analytics.definitions import defs

    return defs


@pytest.fixture
def eval_dir() -> Path:
    return Path(__file__).parent / "eval_tickets"
