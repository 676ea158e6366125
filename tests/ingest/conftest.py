"""The fake Jiras the sync tests run against."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fakes.jira_server import FakeJira
from jira_clients import START


@pytest.fixture(params=["cloud", "datacenter"])
def fake(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(request.param, time_zone="Asia/Seoul", seed=3) as server:
        server.make_issues(
            230, START, spacing=timedelta(minutes=37), histories=(0, 30), comments=(0, 3)
        )
        yield server


@pytest.fixture
def small() -> Iterator[FakeJira]:
    """40 plain issues on Cloud, for tests about sync bookkeeping rather than paging."""
    with FakeJira("cloud", time_zone="Asia/Seoul", seed=5) as server:
        server.make_issues(40, START, spacing=timedelta(hours=5), histories=(0, 2))
        yield server
