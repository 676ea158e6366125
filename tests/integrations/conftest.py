"""Local fake Jira servers, one per test: both flavours, or one with its own profile zone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakes.jira_server import FakeJira


@pytest.fixture(params=["cloud", "datacenter"])
def fake(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(request.param, time_zone="Asia/Tokyo") as server:
        yield server


@pytest.fixture
def cloud() -> Iterator[FakeJira]:
    with FakeJira("cloud", time_zone="America/Los_Angeles") as server:
        yield server


@pytest.fixture
def dc() -> Iterator[FakeJira]:
    with FakeJira("datacenter", time_zone="Europe/Berlin") as server:
        yield server
