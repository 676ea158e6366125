"""The lock live triage passes take: one at a time, a clear error when it is held too long."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from ticket_analytics.triage.pass_lock import TriageBusyError, lock_path, one_pass_at_a_time


def test_a_pass_waits_for_the_lock_and_gives_up_clearly(tmp_path: Path) -> None:
    path = lock_path(tmp_path / "warehouse.duckdb")
    held, release = threading.Event(), threading.Event()

    def first_pass() -> None:
        with one_pass_at_a_time(path):
            held.set()
            release.wait(5)

    holder = threading.Thread(target=first_pass)
    holder.start()
    try:
        assert held.wait(5)
        with (
            pytest.raises(TriageBusyError, match=re.escape(str(path))),
            one_pass_at_a_time(path, wait_seconds=0.2),
        ):
            pass
    finally:
        release.set()
        holder.join(5)
    with one_pass_at_a_time(path, wait_seconds=0.2):
        pass  # released when the first pass ended
