"""Triage against the local fake Jira Cloud: latency from ticket creation to the bot's
comment when polling every 30 s, and throughput in a burst of new tickets under Jira Cloud's
per-issue write limit.

    python benchmarks/bench_triage.py [--issues 500]

1. Timeline (simulated clock): tickets arrive at random (Poisson, one every 20 s on average)
   while a poll runs every 30 s of simulated time: the sensor's query and plan (`plan_poll`),
   then the run's pass over the keys (`triage_pending`), over real HTTP. The fake's clock
   advances by the real time a pass takes plus the cost of launching a Dagster run
   (`RUN_LAUNCH_S`, measured ~4 s for a launched run), so the comment's timestamp is when a
   deployed sensor would have posted it.
2. Burst (real clock): `--issues` new tickets at once, one poll, runs of 100 keys (their
   passes only: add ~4 s per run launched); the fake enforces a per-issue limit of 10
   writes per 2 s and counts every 429.

The fake runs in this process (it shares the GIL with the client), so the throughput is a
floor. Figures only; nothing is asserted.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from _common import REPO, Summary, header, parse_args, timed

from ticket_analytics.integrations.jira import JiraClient, JiraSettings
from ticket_analytics.triage.polling import Requested, pending_from_issue, plan_poll
from ticket_analytics.triage.service import triage_pending
from ticket_analytics.triage.tracker import JiraTracker, TriageQuery

if TYPE_CHECKING:
    from fakes.jira_server import FakeJira

INTERVAL_S = 30.0
MEAN_ARRIVAL_S = 20.0
RUN_LAUNCH_S = 4.0
BATCH = 100
WRITE_LIMIT = (10, 2.0)  # writes per issue per seconds
START = datetime(2025, 11, 3, 9, 0, tzinfo=UTC)
TEXTS = (
    ("DB 생성 요청", "환경: stg\nMySQL 8.0"),  # asks for the cloud
    ("New RDS database for payments", "Cloud: AWS\nEnvironment: prod\nEngine: PostgreSQL 15"),
    ("S3 bucket for invoices", "Need a bucket for invoice PDFs"),
    ("Grafana 조회 권한 요청", "대시보드 조회 권한 부탁드립니다"),
)


@dataclass
class SimClock:
    """Simulated time that runs at real speed while a poll is working."""

    base: datetime
    real_start: float = 0.0
    running: bool = False

    def now(self) -> datetime:
        if not self.running:
            return self.base
        return self.base + timedelta(seconds=time.perf_counter() - self.real_start)

    def start(self, at: datetime) -> None:
        self.base, self.real_start, self.running = at, time.perf_counter(), True

    def stop(self) -> None:
        self.base, self.running = self.now(), False


def _fake(clock: Callable[[], datetime] | None = None) -> FakeJira:
    sys.path.insert(0, str(REPO / "tests"))
    from fakes.jira_server import FakeJira

    return FakeJira("cloud", clock=clock)


def _client(fake: FakeJira) -> JiraClient:
    return JiraClient(JiraSettings(**fake.settings_kwargs()))


def _percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def _poll(
    tracker: JiraTracker, query: TriageQuery, cursor: dict[str, Requested], now: float
) -> tuple[int, dict[str, Requested]]:
    issues = tracker.find_new(query, 500)
    pending = [pending_from_issue(i, query.labels, tracker.flavor) for i in issues]
    plan = plan_poll(pending, cursor, (), live=True, now=now, batch_size=BATCH)
    done = 0
    for batch in plan.batches:
        decisions, _ = triage_pending(tracker, query, keys=[key for key, _, _ in batch], limit=500)
        done += len(decisions)
    return done, plan.cursor


def timeline(tickets: int, rng: random.Random) -> dict[str, float]:
    clock = SimClock(START)
    arrivals, at = [], START
    for _ in range(tickets):
        at += timedelta(seconds=rng.expovariate(1 / MEAN_ARRIVAL_S))
        arrivals.append(at)
    query = TriageQuery()
    cursor: dict[str, Requested] = {}
    tick, next_arrival, passes = START, 0, []
    with _fake(clock.now) as fake, _client(fake) as client:
        tracker = JiraTracker(client)
        keys = []
        while next_arrival < len(arrivals) or tick <= arrivals[-1] + timedelta(seconds=60):
            tick += timedelta(seconds=INTERVAL_S)
            while next_arrival < len(arrivals) and arrivals[next_arrival] <= tick:
                summary, description = TEXTS[next_arrival % len(TEXTS)]
                created = arrivals[next_arrival]
                keys.append(
                    fake.add_issue(summary=summary, description=description, created=created)
                )
                next_arrival += 1
            clock.start(tick + timedelta(seconds=RUN_LAUNCH_S))
            with timed() as work:
                _, cursor = _poll(tracker, query, cursor, tick.timestamp())
            clock.stop()
            passes.append(work.seconds)
        latencies = []
        for key in keys:
            issue = fake.get(key)
            mine = [c for c in issue.comments if c.author == "svc-sync"]
            if mine:
                latencies.append((mine[0].created - issue.created).total_seconds())
        labelled = sum(1 for key in keys if "AI_ANALYZED" in fake.get(key).labels)
    return {
        "tickets": len(keys),
        "commented": len(latencies),
        "labelled": labelled,
        "p50": _percentile(latencies, 0.50),
        "p95": _percentile(latencies, 0.95),
        "max": max(latencies, default=float("nan")),
        "polls": len(passes),
        "pass_p95_s": _percentile(passes, 0.95),
    }


def burst(tickets: int) -> dict[str, float]:
    with _fake() as fake, _client(fake) as client:
        now = datetime.now(UTC)
        keys = []
        for n in range(tickets):
            summary, description = TEXTS[n % len(TEXTS)]
            created = now - timedelta(seconds=tickets - n)
            keys.append(fake.add_issue(summary=summary, description=description, created=created))
        fake.limit_issue_writes(*WRITE_LIMIT)
        before = fake.counters["requests"]
        with timed() as run:
            done, _ = _poll(JiraTracker(client), TriageQuery(), {}, time.time())
        comments = sum(1 for key in keys for c in fake.get(key).comments if c.author == "svc-sync")
        labelled = sum(1 for key in keys if "AI_ANALYZED" in fake.get(key).labels)
        return {
            "tickets": tickets,
            "decided": done,
            "labelled": labelled,
            "comments": comments,
            "seconds": run.seconds,
            "per_minute": done / run.seconds * 60 if run.seconds else float("nan"),
            "requests": fake.counters["requests"] - before,
            "rate_limited": fake.counters["rate_limit"],
        }


def main() -> None:
    args = parse_args(__doc__ or "", default_issues=500)
    header("triage against the fake Jira Cloud")
    summary = Summary("triage")
    rng = random.Random(7)
    tickets = max(10, min(200, args.issues))
    with timed() as took:
        figures = timeline(tickets, rng)
    print(
        f"\ntimeline: {figures['tickets']} tickets over {figures['polls']} polls "
        f"({INTERVAL_S:.0f} s apart, + {RUN_LAUNCH_S:.0f} s run launch), "
        f"{figures['commented']} commented, {figures['labelled']} labelled ({took.seconds:.1f} s)"
    )
    print(
        f"  creation -> comment: p50 {figures['p50']:.1f} s, p95 {figures['p95']:.1f} s, "
        f"max {figures['max']:.1f} s; a poll's pass p95 {figures['pass_p95_s'] * 1000:.0f} ms"
    )
    summary.add("creation -> comment p95 (30 s polls)", f"{figures['p95']:.1f} s", "< 60 s")
    summary.add("creation -> comment p50", f"{figures['p50']:.1f} s")
    result = burst(args.issues)
    print(
        f"\nburst: {result['tickets']} new tickets, one poll: {result['decided']} decided, "
        f"{result['comments']} comments, {result['labelled']} labelled in "
        f"{result['seconds']:.1f} s ({result['per_minute']:,.0f} tickets/min); "
        f"{result['requests']} requests, {result['rate_limited']} answered 429 "
        f"(limit {WRITE_LIMIT[0]} writes per issue per {WRITE_LIMIT[1]:.0f} s)"
    )
    summary.add(f"burst of {result['tickets']}", f"{result['per_minute']:,.0f} tickets/min")
    summary.add("per-issue 429s in the burst", str(result["rate_limited"]), "0")
    summary.finish(None, args.summary_json)


if __name__ == "__main__":
    main()
