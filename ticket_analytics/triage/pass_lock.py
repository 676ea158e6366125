"""One live triage pass at a time per warehouse, whoever started it.

A pass reads the bot's comments, then comments: two passes on one ticket at once would both
read "no marker yet" and both comment. The sensor never requests a key its own runs hold,
but a manual run of the job or `ticket-analytics triage --once` (an in-process run Dagster's
daemon does not see) triages whatever is pending, so the passes also take this lock: an
advisory lock on a file beside the warehouse, which every run of the project shares.
The pass that waited then asks the tracker again and finds the first one's work.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

WAIT_SECONDS = 600.0
_POLL_SECONDS = 0.1


class TriageBusyError(RuntimeError):
    """Another live pass held the lock for longer than a pass waits."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".triage.lock")


@contextmanager
def one_pass_at_a_time(path: Path, wait_seconds: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the lock file `path` for the pass; wait up to `wait_seconds` for it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # flock, not lockf: it binds to this open file, so threads of one process exclude each
    # other too, and the kernel releases it when a crashed process's file closes
    with path.open("a+b") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TriageBusyError(
                        f"another live triage pass has held {path} for over "
                        f"{wait_seconds:.0f} s; these tickets stay unlabelled for the next poll"
                    ) from None
                time.sleep(_POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
