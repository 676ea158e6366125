"""Deterministic application logs and infra metrics for the demo, lined up with incidents.

Business traffic follows a daily curve (Seoul lunch and evening peaks) and a weekly one
(quieter weekends). Around each incident ticket's creation the logs show what an on-call
engineer would see: payments failing, orders and revenue dipping, checkout slowing, and on
the infra side CPU and error rate spiking. Same arguments, same bytes.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random

from ticket_analytics.jira.timestamps import parse_jira_timestamp

_SERVICE = re.compile(r"\b([a-z]+-(?:api|service|gateway|worker|bff|batch))\b")
_KST = timedelta(hours=9)
# relative traffic by hour of day in Seoul: night trough, lunch and evening peaks
_DAILY = (0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.25, 0.45, 0.7, 0.85, 0.95, 1.1,
          1.3, 1.15, 0.95, 0.9, 0.9, 1.0, 1.15, 1.3, 1.4, 1.3, 0.9, 0.5)  # fmt: skip
_WEEKLY = (1.0, 1.0, 1.0, 1.02, 1.1, 0.8, 0.75)  # Monday .. Sunday
_NOISE = (
    "INFO [http-nio-8080-exec-{n}] GET /health 200 {ms}ms",
    "DEBUG [cache] hit ratio={ratio} keys={n}",
    "INFO [kafka-consumer-{n}] committed offset {big} for partition {p}",
    "WARN [hikari] connection pool usage {p}0%",
    "INFO [scheduler] job cleanup-sessions finished in {ms}ms",
)


@dataclass(frozen=True)
class IncidentMark:
    """An incident ticket the sample logs should show: its key, when, and which service."""

    issue_key: str
    at: datetime
    service: str = "payment-api"


@dataclass(frozen=True)
class AppLogSummary:
    log_dir: Path
    infra_dir: Path
    files: tuple[Path, ...]
    events: int
    broken_lines: int
    noise_lines: int
    incidents: tuple[IncidentMark, ...]


def incidents_from_pages(
    sample_dir: Path, *, since: datetime, until: datetime, count: int = 3, spacing_hours: int = 36
) -> list[IncidentMark]:
    """Incident tickets (issue type Incident) of the Jira sample pages in [since, until),
    highest priority first, at least `spacing_hours` apart so each spike stands alone."""
    found: list[tuple[int, datetime, IncidentMark]] = []
    ranks = {"Highest": 0, "High": 1, "Medium": 2, "Low": 3, "Lowest": 4}
    for page in sorted(sample_dir.glob("page-*.json")):
        for issue in json.loads(page.read_text(encoding="utf-8")).get("issues", []):
            fields = issue.get("fields") or {}
            if (fields.get("issuetype") or {}).get("name") != "Incident":
                continue
            at = parse_jira_timestamp(fields["created"])
            if not since <= at < until:
                continue
            text = json.dumps([fields.get("summary"), fields.get("description")])
            service = match[1] if (match := _SERVICE.search(text)) else "payment-api"
            rank = ranks.get((fields.get("priority") or {}).get("name", ""), 5)
            found.append((rank, at, IncidentMark(issue["key"], at, service)))
    chosen: list[IncidentMark] = []
    for _, at, mark in sorted(found, key=lambda item: (item[0], item[1])):
        if all(abs((at - c.at).total_seconds()) >= spacing_hours * 3600 for c in chosen):
            chosen.append(mark)
        if len(chosen) == count:
            break
    return sorted(chosen, key=lambda m: m.at)


def _severity(at: datetime, incidents: Sequence[IncidentMark]) -> float:
    """0 normally, up to 1 from 20 minutes before an incident ticket to 70 minutes after."""
    worst = 0.0
    for mark in incidents:
        minutes = (at - mark.at).total_seconds() / 60
        if -20 <= minutes <= 70:
            worst = max(worst, 1.0 - abs(minutes - 10) / 80)
    return worst


def _traffic(at: datetime) -> float:
    local = at + _KST
    return _DAILY[local.hour] * _WEEKLY[local.weekday()]


def _poisson(rng: Random, mean: float) -> int:
    # Knuth's method: means here are a few per minute, so the loop stays short
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _minutes(start: datetime, days: int) -> Iterator[datetime]:
    for minute in range(days * 1440):
        yield start + timedelta(minutes=minute)


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _business_lines(
    rng: Random, at: datetime, severity: float, rate: float
) -> Iterator[tuple[str, str]]:
    """(file, line) pairs of one minute's business events."""
    user = f"u{rng.randrange(1, 50_000)}"
    for _ in range(_poisson(rng, rate * (1 - 0.6 * severity))):
        stamp = at + timedelta(seconds=rng.random() * 60)
        amount = rng.choice((9_900, 12_000, 19_800, 25_000, 49_000, 89_000))
        order = f"o{rng.randrange(10**8):08d}"
        channel = rng.choice(("app", "web", "web", "partner"))
        yield (
            "order-api.log",
            (
                f"{_iso(stamp)} INFO [order-api] order placed BIZ_METRIC event=order.created "
                f"service=order-api value={amount} unit=KRW status=ok order_id={order} "
                f'user_id={user} channel={channel} note="cart \\"{channel}\\" checkout"'
            ),
        )
        failed = rng.random() < 0.02 + 0.55 * severity
        payment = {
            "event": "payment.failed" if failed else "payment.succeeded",
            "value": amount,
            "unit": "KRW",
            "status": "error" if failed else "ok",
            "method": rng.choice(("card", "card", "bank", "wallet")),
            "user_id": user,
        }
        yield "payment-api.jsonl", json.dumps(
            {"ts": _iso(stamp + timedelta(seconds=1)), "level": "warn" if failed else "info",
             "service": "payment-api", "msg": "payment", "biz": payment},
            separators=(",", ":"),
        )  # fmt: skip
        latency = rng.lognormvariate(math.log(180 * (1 + 4 * severity)), 0.35)
        yield (
            "web.log",
            (
                f"{(stamp + _KST).strftime('%Y-%m-%d %H:%M:%S')},{stamp.microsecond // 1000:03d}+09:00 "
                f"INFO web - BIZ_METRIC event=checkout.latency service=web value={latency:.1f} unit=ms"
            ),
        )


def _noise(rng: Random, at: datetime) -> str:
    template = rng.choice(_NOISE)
    text = template.format(
        n=rng.randrange(1, 64), ms=rng.randrange(1, 900), ratio=f"{rng.random():.2f}",
        big=rng.randrange(10**9), p=rng.randrange(1, 10),
    )  # fmt: skip
    return f"{_iso(at + timedelta(seconds=rng.random() * 60))} {text}"


_BROKEN = (
    ("order-api.log", "{ts} INFO [order-api] BIZ_METRIC value=12000 unit=KRW status=ok"),
    ("order-api.log", "{ts} INFO [order-api] BIZ_METRIC event=order.created value=12,000원"),
    ("payment-api.jsonl", '{{"ts":"{ts}","level":"info","biz":{{"event":"payment.succ'),
)


def write_applogs(
    out_dir: Path,
    *,
    incidents: Sequence[IncidentMark],
    until: date,
    days: int = 14,
    seed: int = 7,
    events_per_minute: float = 3.0,
) -> AppLogSummary:
    """Write `logs/` (text, JSON lines, one rotated gzip) and `infra/` under `out_dir`."""
    rng = Random(seed)
    start = datetime(until.year, until.month, until.day, tzinfo=UTC) + timedelta(days=1 - days)
    files: dict[str, list[str]] = {"order-api.log": [], "payment-api.jsonl": [], "web.log": []}
    events = broken = noise = 0
    for at in _minutes(start, days):
        severity = _severity(at, incidents)
        for name, line in _business_lines(rng, at, severity, events_per_minute * _traffic(at)):
            files[name].append(line)
            events += 1
        for _ in range(_poisson(rng, 2.0)):
            files[rng.choice(tuple(files))].append(_noise(rng, at))
            noise += 1
        if rng.random() < 1 / 720:
            name, template = rng.choice(_BROKEN)
            files[name].append(template.format(ts=_iso(at)))
            broken += 1
    log_dir, infra_dir = out_dir / "logs", out_dir / "infra"
    log_dir.mkdir(parents=True, exist_ok=True)
    infra_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    web = files.pop("web.log")
    half = len(web) // 2
    # the older half was rotated and compressed; mtime 0 keeps the gzip bytes reproducible
    rotated = log_dir / "web.log.1.gz"
    with open(rotated, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
        packed.write("".join(f"{line}\n" for line in web[:half]).encode())
    written.append(rotated)
    for name, lines in {**files, "web.log": web[half:]}.items():
        path = log_dir / name
        path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        written.append(path)
    written += _write_infra(infra_dir, rng, start, days, incidents)
    return AppLogSummary(
        log_dir, infra_dir, tuple(written), events, broken, noise, tuple(incidents)
    )


def _write_infra(
    infra_dir: Path, rng: Random, start: datetime, days: int, incidents: Sequence[IncidentMark]
) -> list[Path]:
    """CPU per host as a Prometheus query_range response, error rate as CSV (5-min steps)."""
    steps = [start + timedelta(minutes=5 * i) for i in range(days * 288)]
    result = []
    for host, base in (("web-1", 0.35), ("web-2", 0.3), ("payment-1", 0.25)):
        values = []
        for at in steps:
            hot = _severity(at, incidents) * (0.55 if host == "payment-1" else 0.3)
            cpu = min(0.99, base * (0.5 + 0.6 * _traffic(at)) + hot + rng.gauss(0, 0.02))
            values.append([at.timestamp(), f"{max(cpu, 0.01):.4f}"])
        labels = {"__name__": "cpu_usage", "instance": f"{host}:9100", "job": "node"}
        result.append({"metric": labels, "values": values})
    prometheus = {"status": "success", "data": {"resultType": "matrix", "result": result}}
    cpu_path = infra_dir / "cpu_usage.json"
    cpu_path.write_text(json.dumps(prometheus, separators=(",", ":")), encoding="utf-8")
    rows = ["ts,host,metric,value"]
    for at in steps:
        rate = 0.004 + 0.12 * _severity(at, incidents) + abs(rng.gauss(0, 0.001))
        rows.append(f"{at.strftime('%Y-%m-%dT%H:%M:%SZ')},payment-1,http_error_rate,{rate:.5f}")
    csv_path = infra_dir / "error_rate.csv"
    csv_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return [cpu_path, csv_path]


def write_demo_applogs(
    out_dir: Path, sample_dir: Path, *, until: date, days: int = 14, seed: int = 7
) -> AppLogSummary:
    """Logs whose incidents are the Jira sample's: incident tickets after the window's first
    week (that week gives the anomaly baseline something to compare with)."""
    end = datetime(until.year, until.month, until.day, tzinfo=UTC) + timedelta(days=1)
    since = end - timedelta(days=max(days - 7, 1))
    marks = incidents_from_pages(sample_dir, since=since, until=end - timedelta(hours=2))
    return write_applogs(out_dir, incidents=marks, until=until, days=days, seed=seed)
