"""Jira sync on Jira-sized payloads, next to the limit: a bare client over the same fake.

    python benchmarks/bench_jira_sync.py [--issues 100000]

The fake Jira Cloud (tests/fakes/jira_server.py with weight="jira") runs in its own process
and serves what Jira Cloud serves for `fields=*all&expand=changelog`: every system field,
~80 custom fields, ADF bodies, up to 20 embedded comments and histories with user objects;
about one issue in ten has more, which a client must page from /changelog or /comment. It
renders each issue once, before the clock starts, and serves pages from that cache.

In the same run, over the first fifth of the issues (20k of the default 100k):
1. the limit: a bare sequential httpx client with the sync's page size, JQL, fields and
   expand, following nextPageToken, paging the truncated changelogs and comments as the sync
   must, and doing nothing but `orjson.loads` of every response; it runs right before and
   right after (2), and the faster run counts (the machine's speed drifts);
2. `sync_jira` into a fresh DuckDB file: issues/s, and its ratio to the bare client's.
Then `sync_jira` over all the issues, for issues/s and peak RSS at both scopes. Each sync
runs in a process of its own, so its peak RSS is its own plus its ADF helper process's;
its CPU is the client's alone (HTTP, JSON, rows, DuckDB's threads, the helper), and the fake
reports its own.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from _common import REPO, Summary, db_size_mb, header, parse_args, peak_rss_mb, rate, timed
from _jira_bare_client import EXPAND, FIELDS, PAGE_SIZE, SEARCH, Bare, bare_client, search_jql

from ticket_analytics.ingest.jira_sync import SyncOptions, sync_jira
from ticket_analytics.integrations.jira import JiraClient, JiraSettings
from ticket_analytics.warehouse.connection import connect

PROJECT = "OPS"
# Old enough that no issue looks updated during the sync, which would trigger a re-pass.
START = datetime(2023, 1, 1, tzinfo=UTC)
SPACING = timedelta(minutes=7)


def scope_of(issues: int, total: int) -> str:
    """JQL for the first `issues` of the fake's issues (created SPACING apart from START)."""
    if issues >= total:
        return f"project = {PROJECT}"
    # The fake's zone is UTC, and JQL reads date literals in the user's zone.
    before = START + SPACING * issues
    return f'project = {PROJECT} AND created < "{before:%Y/%m/%d %H:%M}"'


def serve_fake_jira(issues: int, pipe: Connection) -> None:
    """Child process: build and pre-render the heavy issues, serve them, report CPU on demand."""
    sys.path.insert(0, str(REPO / "tests"))
    from fakes import jira_routes
    from fakes.jira_server import FakeJira

    with FakeJira("cloud", weight="jira") as fake:
        with timed() as made:
            fake.make_issues(issues, START, project=PROJECT, spacing=SPACING)
        with timed() as rendered:
            body: dict[str, Any] = {
                "jql": search_jql(f"project = {PROJECT}"),
                "fields": FIELDS,
                "expand": EXPAND,
                "maxResults": PAGE_SIZE,
            }
            while True:
                page = jira_routes.route(fake, "POST", SEARCH, {}, body).body
                if page["isLast"]:
                    break
                body["nextPageToken"] = page["nextPageToken"]
        fake.counters.clear()
        pipe.send(
            {
                "settings": fake.settings_kwargs(),
                "made_s": made.seconds,
                "rendered_s": rendered.seconds,
                "rss_mb": peak_rss_mb(),
            }
        )
        while pipe.recv() != "stop":
            pipe.send(
                {
                    "cpu_s": time.process_time(),
                    "requests": fake.counters["requests"],
                    "search_pages": fake.counters["search_pages"],
                    "errors": list(fake.errors),
                }
            )
        pipe.send({"rss_mb": peak_rss_mb()})


class FakeMeter:
    """The fake's CPU and search pages during one phase of the benchmark."""

    def __init__(self, pipe: Connection) -> None:
        self.pipe = pipe
        self.start = self._read()

    def _read(self) -> dict[str, Any]:
        self.pipe.send("stats")
        reading: dict[str, Any] = self.pipe.recv()
        return reading

    def done(self) -> dict[str, Any]:
        end = self._read()
        return {
            "cpu_s": end["cpu_s"] - self.start["cpu_s"],
            "requests": end["requests"] - self.start["requests"],
            "search_pages": end["search_pages"] - self.start["search_pages"],
            "errors": end["errors"],
        }


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


class HelperPeak:
    """The highest peak RSS (VmHWM) of this process's child processes while it lasts: the
    sync's ADF helper. Read once a second; the mark only grows, so the last read is the peak
    to within the helper's final second. (ru_maxrss of children would report the parent's
    size at the fork that started the helper.)"""

    def __init__(self) -> None:
        self.mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="helper-peak", daemon=True)

    def __enter__(self) -> HelperPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        me = str(os.getpid())
        while not self._stop.wait(1.0):
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    if stat.read_text().rsplit(")", 1)[1].split()[1] != me:  # its parent
                        continue
                    status = stat.with_name("status").read_text()
                except (OSError, IndexError):
                    continue  # gone meanwhile
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        self.mb = max(self.mb, int(line.split()[1]) / 1024)


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def sync_in_child(settings: dict[str, Any], scope: str, pipe: Connection) -> None:
    """Child process: one full sync of `scope` into a fresh warehouse; reports to `pipe`.
    CPU and peak RSS include the sync's ADF helper process."""
    with tempfile.TemporaryDirectory(prefix="bench_jira_sync_") as tmp:
        db = Path(tmp) / "warehouse.duckdb"
        options = SyncOptions(scope=scope, page_size=PAGE_SIZE)
        with JiraClient(JiraSettings(**settings)) as client, HelperPeak() as helper:
            clock = PageClock()
            cpu, helper_cpu = time.process_time(), _children_cpu_s()
            with timed() as sync:
                stats = sync_jira(client, partial(connect, db), options, progress=clock)
            cpu = time.process_time() - cpu
            helper_cpu = _children_cpu_s() - helper_cpu  # the helper has exited by now
        pipe.send(
            {
                "stats": stats,
                "wall_s": sync.seconds,
                "cpu_s": cpu + helper_cpu,
                "helper_cpu_s": helper_cpu,
                "page_wall": clock.wall,
                "page_cpu": clock.cpu,
                "rss_mb": peak_rss_mb() + helper.mb,
                "helper_rss_mb": helper.mb,
                "db_mb": db_size_mb(db),
            }
        )


def run_sync(context: Any, settings: dict[str, Any], scope: str) -> dict[str, Any]:
    ours, theirs = context.Pipe()
    child = context.Process(target=sync_in_child, args=(settings, scope, theirs))
    child.start()
    theirs.close()  # the child's end only: a sync that dies then ends the wait with EOFError
    try:
        result: dict[str, Any] = ours.recv()
    except EOFError:
        child.join()
        raise SystemExit(f"the sync over {scope!r} died (exit code {child.exitcode})") from None
    child.join()
    return result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    args = parse_args(__doc__ or "", default_issues=100_000)
    total = max(args.issues, 1)
    small = max(1, total // 5)
    header(
        f"bench_jira_sync: fake Jira Cloud at Jira weight, {total:,} issues; bare client and "
        f"sync over {small:,}, sync over {total:,}; page size {PAGE_SIZE}, fields {FIELDS}"
    )
    summary = Summary("jira_sync")
    context = mp.get_context("spawn")  # clean interpreters: no duckdb or httpx state forked
    ours, theirs = context.Pipe()
    server = context.Process(target=serve_fake_jira, args=(total, theirs), daemon=True)
    server.start()
    try:
        ready: dict[str, Any] = ours.recv()
        print(
            f"fake Jira (separate process): made {total:,} issues in {ready['made_s']:.1f} s, "
            f"rendered them in {ready['rendered_s']:.1f} s; its peak RSS {ready['rss_mb']:,.0f} MB"
        )
        settings = ready["settings"]

        def bare_run() -> tuple[Bare, dict[str, Any]]:
            meter = FakeMeter(ours)
            return bare_client(settings, scope_of(small, total)), meter.done()

        def sync_run(issues: int) -> tuple[int, dict[str, Any], dict[str, Any]]:
            meter = FakeMeter(ours)
            return issues, run_sync(context, settings, scope_of(issues, total)), meter.done()

        # This machine's speed drifts within minutes: the bare client runs right before and
        # right after the sync it is compared with, and the faster run is the limit.
        before = bare_run()
        results = [sync_run(small)]
        after = bare_run()
        bare, bare_fake = max(before, after, key=lambda run: run[0].issues / run[0].wall_s)
        print(
            f"bare client right before / after the sync over {small:,}: "
            f"{rate(before[0].issues, before[0].wall_s)} / {rate(after[0].issues, after[0].wall_s)}"
            " (the faster is the limit)"
        )
        report_bare(bare, bare_fake, summary)
        results.append(sync_run(total))
        ours.send("stop")
        fake_end: dict[str, Any] = ours.recv()
        report_syncs(bare, results, summary)
        print(f"fake Jira peak RSS {fake_end['rss_mb']:,.0f} MB")
        summary.finish(None, args.summary_json, rss_label="peak RSS (bench driver, bare client)")
    finally:
        server.join(timeout=10)
        if server.is_alive():
            server.terminate()


def _fake_line(fake: dict[str, Any], wall_s: float) -> str:
    served = max(fake["search_pages"], 1)
    line = (
        f"fake Jira CPU {fake['cpu_s']:.1f} s = {ms(fake['cpu_s'] / served)} per search page, "
        f"{fake['cpu_s'] / wall_s:.0%} of the wall time, over {fake['requests']:,} requests"
    )
    if fake["errors"]:
        line += f"; fake Jira errors: {fake['errors'][:3]}"
    return line


def report_bare(bare: Bare, fake: dict[str, Any], summary: Summary) -> None:
    per_issue = bare.bytes / max(bare.issues, 1)
    in_search = bare.search_bytes / max(bare.issues, 1)
    print(
        f"\nbare client (the limit): {bare.issues:,} issues in {bare.wall_s:.1f} s = "
        f"{rate(bare.issues, bare.wall_s)}; {bare.pages:,} search pages + "
        f"{bare.extra_requests:,} changelog/comment requests "
        f"(issues paged: {bare.changelog_fetches:,} changelogs, {bare.comment_fetches:,} "
        f"comment lists)"
    )
    print(
        f"  {bare.bytes / 1e6:,.0f} MB of JSON = {per_issue / 1e3:.1f} KB per issue "
        f"({in_search / 1e3:.1f} KB in search pages, the rest in changelog/comment pages); "
        f"client CPU {bare.cpu_s:.1f} s = {ms(bare.cpu_s / max(bare.pages, 1))} per search page"
    )
    print(f"  {_fake_line(fake, bare.wall_s)}")
    summary.add(
        "bytes per issue",
        f"{per_issue / 1e3:.1f} KB ({in_search / 1e3:.1f} KB in search pages)",
        "samples: 8.6-131 KB",
    )
    summary.add(
        f"bare client issues/s ({bare.issues:,})",
        rate(bare.issues, bare.wall_s),
        "the limit: fetch + orjson.loads",
    )
    summary.add(
        "bare client extra requests",
        f"{bare.extra_requests:,} ({bare.changelog_fetches:,} changelogs, "
        f"{bare.comment_fetches:,} comment lists)",
    )
    summary.add(
        "fake Jira CPU per page (bare run)", ms(fake["cpu_s"] / max(fake["search_pages"], 1))
    )


def report_syncs(
    bare: Bare, results: list[tuple[int, dict[str, Any], dict[str, Any]]], summary: Summary
) -> None:
    rss = []
    for n, (issues, result, fake) in enumerate(results):
        stats, wall_s = result["stats"], result["wall_s"]
        page_wall, page_cpu = result["page_wall"], result["page_cpu"]
        paging_s = sum(page_wall)
        print(
            f"\nsync_jira over {issues:,} issues: {wall_s:.1f} s wall for {stats.fetched:,} "
            f"issues = {rate(stats.fetched, wall_s)}; peak RSS {result['rss_mb']:,.0f} MB "
            f"({result['helper_rss_mb']:,.0f} MB of it the ADF helper process's), "
            f"DuckDB file {result['db_mb']:,.0f} MB"
        )
        print(
            f"  {len(page_wall):,} search pages in {paging_s:.1f} s = "
            f"{rate(stats.fetched, paging_s)}; then full pass + count check "
            f"{wall_s - paging_s:.1f} s (recovered {stats.recovered:,}, deleted {stats.deleted:,})"
        )
        print(
            f"  inserted {stats.inserted:,}, updated {stats.updated:,}, rejected "
            f"{stats.rejected:,}, requests {stats.requests:,}, retries {stats.retries}, "
            f"changelog/comment fetches {stats.changelog_fetches:,}/{stats.comment_fetches:,}"
        )
        if page_wall:
            print(
                f"  per page: the sync process's CPU median {ms(statistics.median(page_cpu))}, "
                f"wall median {ms(statistics.median(page_wall))}; client CPU "
                f"{result['cpu_s']:.1f} s in all (DuckDB's threads and the ADF helper's "
                f"{result['helper_cpu_s']:.1f} s included)"
            )
        print(f"  {_fake_line(fake, wall_s)}")
        summary.add(f"sync issues/s ({issues:,})", rate(stats.fetched, wall_s))
        if n == 0:  # the bare client's scope
            ratio = (stats.fetched / wall_s) / (bare.issues / bare.wall_s)
            print(f"  = {ratio:.2f}x the bare client's {rate(bare.issues, bare.wall_s)}")
            summary.add("sync / bare client", f"{ratio:.2f}x", ">= 0.7x")
            if page_cpu:
                summary.add("sync client CPU per page (median)", ms(statistics.median(page_cpu)))
            summary.add(
                "fake Jira CPU per page (sync run)",
                ms(fake["cpu_s"] / max(fake["search_pages"], 1)),
            )
        rss.append((issues, result["rss_mb"]))
    for issues, mb in rss:
        aim = "< 400 MB"
        if issues != rss[0][0]:
            aim = f"within 20% of {rss[0][0]:,}'s, < 400 MB"
            print(
                f"\npeak RSS {mb:,.0f} MB at {issues:,} issues = {mb / rss[0][1]:.2f}x {rss[0][0]:,}'s"
            )
        summary.add(f"sync peak RSS ({issues:,})", f"{mb:,.0f} MB", aim)
    last = results[-1][1]
    summary.add(f"duckdb file ({results[-1][0]:,})", f"{last['db_mb']:,.0f} MB")


if __name__ == "__main__":
    main()
