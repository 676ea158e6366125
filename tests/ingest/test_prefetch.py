"""Reading ahead keeps order, raises where a plain loop would, and stops when closed."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import closing
from types import SimpleNamespace
from typing import Any, cast

import pytest

from ticket_analytics.ingest.completion import completing
from ticket_analytics.ingest.prefetch import prefetched
from ticket_analytics.integrations.jira import JiraClient
from ticket_analytics.integrations.jira_paging import SearchPage


def test_items_arrive_in_order_however_far_ahead_the_reader_is() -> None:
    assert list(prefetched(iter(range(500)), depth=3)) == list(range(500))
    assert list(prefetched(iter([]), depth=1)) == []


def test_an_error_from_the_source_is_raised_after_the_items_before_it() -> None:
    def pages() -> Iterator[int]:
        yield 1
        yield 2
        raise ConnectionError("page 3 failed")

    seen = []
    with pytest.raises(ConnectionError, match="page 3 failed"):
        for page in prefetched(pages()):
            seen.append(page)
    assert seen == [1, 2]


def test_closing_early_stops_the_reader_and_closes_the_source() -> None:
    read: list[int] = []
    closed = threading.Event()

    def pages() -> Iterator[int]:
        try:
            for n in range(1_000):
                read.append(n)
                yield n
        finally:
            closed.set()

    before = set(threading.enumerate())
    with closing(prefetched(pages(), depth=2)) as ahead:
        assert next(ahead) == 0
    assert closed.is_set()
    # the one handed over, two queued, and at most one more the reader held when told to stop
    assert len(read) <= 4
    assert not [t for t in set(threading.enumerate()) - before if t.name == "prefetch"]


def test_an_error_in_the_consumer_stops_the_reader() -> None:
    closed = threading.Event()

    def pages() -> Iterator[int]:
        try:
            yield from range(1_000)
        finally:
            closed.set()

    with pytest.raises(RuntimeError, match="commit failed"), closing(prefetched(pages())) as ahead:
        for page in ahead:
            if page == 5:
                raise RuntimeError("commit failed")
    assert closed.is_set()


def test_closing_does_not_wait_for_a_reader_stuck_in_a_request() -> None:
    release = threading.Event()

    def pages() -> Iterator[int]:
        yield 1
        release.wait(5)  # a request that takes its time, or a long rate-limit wait
        yield 2

    before = set(threading.enumerate())
    try:
        with closing(prefetched(pages(), depth=1)) as ahead:
            assert next(ahead) == 1
        # closing came back while the reader is still inside its "request"
        assert [t for t in set(threading.enumerate()) - before if t.name == "prefetch"]
    finally:
        release.set()


def test_a_page_handed_over_is_not_held_while_the_next_is_read() -> None:
    """Once the sync has turned a page into rows and let go of it, neither the reader nor the
    completion step keeps it alive while the next page downloads."""
    # (megabytes of parsed JSON each, at Jira's weight)
    waiting = [SearchPage([{"key": f"OPS-{n}"}], f"t{n}", n == 2, None, None) for n in (1, 2)]
    first = weakref.ref(waiting[0])
    downloading, release = threading.Event(), threading.Event()

    def pages() -> Iterator[Any]:
        while waiting:
            yield waiting.pop(0)
            downloading.set()
            release.wait(5)  # the next page's request, in flight

    counts = SimpleNamespace(changelog_fetches=0, comment_fetches=0)
    try:
        # nothing on the page is cut short, so the client is never asked
        ahead = prefetched(completing(cast(JiraClient, None), pages(), counts), depth=1)
        with closing(ahead):
            page, fetching = next(ahead)
            assert page is first() and fetching == {}
            del page
            assert downloading.wait(5)
            assert first() is None
            release.set()
    finally:
        release.set()


def test_the_next_item_is_read_only_once_there_is_room_for_it() -> None:
    """A page read and then held until there is room would be one more page in memory."""
    read: list[int] = []

    def pages() -> Iterator[int]:
        for n in range(10):
            read.append(n)
            yield n

    with closing(prefetched(pages(), depth=1)) as ahead:
        assert next(ahead) == 0  # held by the consumer
        deadline = time.monotonic() + 5
        while len(read) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # time enough for a reader that does not wait for room to read on
        assert read == [0, 1]
