"""Jira sync: a full `sync_jira` from the local fake Jira Cloud into a fresh warehouse.

    python benchmarks/bench_jira_sync.py [--issues 100000]

The fake (tests/fakes/jira_server.py) runs in its own process, so `time.process_time()` in
this one is the client's CPU alone: HTTP, JSON, record building and the DuckDB commit of each
page (DuckDB's threads included). The fake reports its own CPU when it stops.
"""

from __future__ import annotations

import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from _common import REPO, Summary, header, parse_args, rate, timed

from ticket_analytics.ingest.jira_sync import SyncOptions, sync_jira
from ticket_analytics.integrations.jira import JiraClient, JiraSettings
from ticket_analytics.warehouse.connection import connect

PAGE_SIZE = 100
# Old enough that no issue looks updated during the sync, which would trigger a re-pass.
START = datetime(2023, 1, 1, tzinfo=UTC)


def serve_fake_jira(issues: int, pipe: Connection) -> None:
    """Child process: build the fake's issues, serve them until told to stop, report CPU."""
    sys.path.insert(0, str(REPO / "tests"))
    from fakes.jira_server import FakeJira

    with FakeJira("cloud") as fake:
        with timed() as made:
            # Up to 4 histories stays under the embedded-changelog limit (20), so the sync
            # never needs per-issue changelog or comment calls.
            fake.make_issues(issues, START, histories=(0, 4), comments=(0, 2))
        cpu_ready = time.process_time()
        pipe.send({"settings": fake.settings_kwargs(), "made_s": made.seconds})
        pipe.recv()
        pipe.send(
            {
                "cpu_s": time.process_time() - cpu_ready,
                "requests": fake.counters["requests"],
                "search_pages": fake.counters["search_pages"],
                "errors": list(fake.errors),
            }
        )


class PageClock:
    """Wall and CPU time between `sync_jira`'s per-page progress calls."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.last_wall, self.last_cpu = time.perf_counter(), time.process_time()

    def __call__(self, _message: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.wall.append(wall - self.last_wall)
        self.cpu.append(cpu - self.last_cpu)
        self.last_wall, self.last_cpu = wall, cpu


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    args = parse_args(__doc__ or "", default_issues=100_000)
    header(f"bench_jira_sync: {args.issues:,} issues from a fake Jira Cloud, page size {PAGE_SIZE}")
    summary = Summary("jira_sync")
    context = mp.get_context("spawn")  # a clean interpreter: no duckdb or httpx state forked
    ours, theirs = context.Pipe()
    server = context.Process(target=serve_fake_jira, args=(args.issues, theirs), daemon=True)
    server.start()
    try:
        ready: dict[str, Any] = ours.recv()
        print(
            f"fake Jira (separate process) made {args.issues:,} issues in {ready['made_s']:.1f} s"
        )
        with tempfile.TemporaryDirectory(prefix="bench_jira_sync_") as tmp:
            db = Path(tmp) / "warehouse.duckdb"
            options = SyncOptions(scope="project = OPS", page_size=PAGE_SIZE)
            with JiraClient(JiraSettings(**ready["settings"])) as client:
                clock = PageClock()
                cpu_start = time.process_time()
                with timed() as sync:
                    stats = sync_jira(client, partial(connect, db), options, progress=clock)
                client_cpu = time.process_time() - cpu_start
            ours.send("stop")
            fake: dict[str, Any] = ours.recv()
            report(stats, sync.seconds, client_cpu, clock, fake, summary)
            summary.finish(db, args.summary_json)
    finally:
        server.join(timeout=10)
        if server.is_alive():
            server.terminate()


def report(
    stats: Any,
    wall_s: float,
    client_cpu_s: float,
    clock: PageClock,
    fake: dict[str, Any],
    summary: Summary,
) -> None:
    pages = len(clock.wall)
    paging_s = sum(clock.wall)
    print(
        f"sync_jira: {wall_s:.1f} s wall for {stats.fetched:,} issues = "
        f"{rate(stats.fetched, wall_s)}  (aim: >= 3,000 issues/s)"
    )
    print(
        f"  {pages:,} search pages in {paging_s:.1f} s = {rate(stats.fetched, paging_s)}; "
        f"then full pass + count check {wall_s - paging_s:.1f} s "
        f"(recovered {stats.recovered:,}, deleted {stats.deleted:,})"
    )
    print(
        f"  inserted {stats.inserted:,}, updated {stats.updated:,}, rejected {stats.rejected:,}, "
        f"requests {stats.requests:,}, retries {stats.retries}, "
        f"changelog/comment fetches {stats.changelog_fetches}/{stats.comment_fetches}"
    )
    if pages:
        print(
            f"  per page: client CPU median {ms(statistics.median(clock.cpu))}, "
            f"mean {ms(statistics.fmean(clock.cpu))}; wall median "
            f"{ms(statistics.median(clock.wall))}, mean {ms(statistics.fmean(clock.wall))}"
        )
    served = max(fake["search_pages"], 1)
    print(
        f"  client CPU {client_cpu_s:.1f} s total (this process, DuckDB threads included); "
        f"fake Jira CPU {fake['cpu_s']:.1f} s = {ms(fake['cpu_s'] / served)} per search page "
        f"over {fake['requests']:,} requests"
    )
    if fake["errors"]:
        print(f"  fake Jira errors: {fake['errors'][:3]}")
    summary.add("issues/s (wall, whole sync)", rate(stats.fetched, wall_s), ">= 3,000 issues/s")
    summary.add("wall", f"{wall_s:.1f} s, {pages:,} pages")
    if pages:
        summary.add("client CPU per page (median)", ms(statistics.median(clock.cpu)))
    summary.add("fake Jira CPU per page", ms(fake["cpu_s"] / served))
    summary.add("full pass + count check", f"{wall_s - paging_s:.1f} s")


if __name__ == "__main__":
    main()
