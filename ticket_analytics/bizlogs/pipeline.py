"""Run the stages of a load side by side: read the next batch while this one is written.

numpy, polars and DuckDB release the GIL in their loops, so a stage in a thread overlaps
the others for real; one slot between stages keeps memory to a few batches at most.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


class _Done:
    """Marks the end of the items (None could be an item)."""


class _Failed(Generic[T]):
    def __init__(self, error: BaseException) -> None:
        self.error = error


def ahead(items: Iterable[T]) -> Generator[T, None, None]:
    """`items`, produced one step ahead in a thread. An error there is raised here; closing
    the iterator (or an error in the consumer) stops the thread and closes `items`."""
    slot: queue.Queue[T | _Done | _Failed[T]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item: T | _Done | _Failed[T]) -> bool:
        while not stop.is_set():
            try:
                slot.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        iterator = iter(items)
        try:
            for item in iterator:
                if not put(item):
                    return
            put(_Done())
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(_Failed(exc))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    try:
        while not isinstance(item := slot.get(), _Done):
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        worker.join()
