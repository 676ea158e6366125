"""Fetch the next pages of a paged API while the current one is processed.

A sync alternates between waiting on Jira and committing to DuckDB; reading ahead in a thread
overlaps the two. Order is kept, and an error from the source surfaces after the pages before
it, exactly where a plain loop would have raised it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import Any, TypeVar, cast

T = TypeVar("T")
_POLL_SECONDS = 0.1
# A reader inside a request (or a rate-limit wait of minutes) is not waited for: it notices
# the stop when the request returns, and its thread is a daemon.
_STOP_WAIT_SECONDS = 1.0
_ITEM, _ERROR, _END = "item", "error", "end"
_NOTHING = object()


def prefetched(items: Iterator[T], depth: int = 2) -> Generator[T, None, None]:
    """Yield `items` in order while a thread reads up to `depth` of them ahead.

    The next item is read only once there is room for it: an item read and then held until
    there is room would be one more in memory (a page is megabytes).

    Close the returned generator (``contextlib.closing``) to stop early: the reader stops
    after the item it is fetching, since a request in flight is never interrupted, and
    closing waits for it only briefly.
    """
    ahead: queue.SimpleQueue[list[Any]] = queue.SimpleQueue()
    room = threading.Semaphore(depth)
    stop = threading.Event()

    def wait_for_room() -> bool:
        while not stop.is_set():
            if room.acquire(timeout=_POLL_SECONDS):
                return True
        return False

    def read() -> None:
        try:
            while wait_for_room():
                item = next(items, _NOTHING)
                if item is _NOTHING:
                    ahead.put([_END, None])
                    return
                ahead.put([_ITEM, item])
                del item  # an item can be megabytes: not kept while the next is read
        except BaseException as exc:  # raised in the consumer, after the items before it
            ahead.put([_ERROR, exc])
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    reader = threading.Thread(target=read, name="prefetch", daemon=True)
    reader.start()
    try:
        while True:
            entry = ahead.get()
            if entry[0] == _ERROR:
                raise entry[1]
            if entry[0] == _END:
                return
            room.release()
            # handed on without a reference left here: an item can be megabytes
            yield cast(T, entry.pop())
    finally:
        stop.set()
        reader.join(_STOP_WAIT_SECONDS)
