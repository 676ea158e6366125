"""Deterministic sample data for `make demo`: Jira Cloud `search/jql` pages of DevOps tickets.

Everything comes from one `random.Random(seed)` and the arguments, so the same arguments give
byte-identical files. Issues look like `GET /rest/api/3/search/jql?fields=*all&expand=changelog`
results; the workflow and the clarification convention are described in `lifecycle`. Nested
reference objects (users, statuses, changelog items) are shared between issues to keep 100k
issues cheap: treat the payloads as read-only.
"""

from __future__ import annotations

import base64
import calendar
import json
import math
import os
from bisect import bisect
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from pathlib import Path
from random import Random
from typing import Any

import yaml

from ticket_analytics.samples import jira_shapes as js
from ticket_analytics.samples import templates as tpl
from ticket_analytics.samples.issues import IssueFactory, LabeledIssue
from ticket_analytics.samples.jira_shapes import (
    CLOSED,
    HOUR,
    IN_PROGRESS,
    OPEN,
    REOPENED,
    RESOLVED,
    WAITING,
)

__all__ = [
    "CLOSED",
    "IN_PROGRESS",
    "OPEN",
    "REOPENED",
    "RESOLVED",
    "WAITING",
    "LabeledIssue",
    "SampleSummary",
    "generate_issues",
    "generate_labeled_issues",
    "write_sample",
]


_CATEGORIES = tuple(tpl.CATEGORY_WEIGHTS)
_CATEGORY_CUM = tuple(accumulate(tpl.CATEGORY_WEIGHTS.values()))
_BUSY_HOURS = (9, 10, 10, 11, 11, 13, 13, 14, 14, 15, 15, 16, 16, 17, 17, 18)


@dataclass(frozen=True)
class SampleSummary:
    out_dir: Path
    files: tuple[Path, ...]  # the pages in order, then manifest.yaml
    issues: int
    by_month: dict[str, int]  # "2025-10" -> count (by created month, Asia/Seoul)
    by_category: dict[str, int]  # generator's ground-truth category -> count


def generate_labeled_issues(
    *,
    months: int = 6,
    seed: int = 7,
    until: date,
    per_month: int = 450,
    project_key: str = "OPS",
) -> Iterator[LabeledIssue]:
    """Issues in creation order with the ground truth (category, template, missing fields)."""
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    if per_month < 0:
        raise ValueError(f"per_month must not be negative, got {per_month}")
    return _generate(Random(seed), until, months, per_month, project_key)


def _generate(
    rng: Random, until: date, months: int, per_month: int, project_key: str
) -> Iterator[LabeledIssue]:
    factory = IssueFactory(rng, until, months, project_key)
    for index, (year, month, days) in enumerate(_month_span(until, months)):
        label = f"{year:04d}-{month:02d}"
        for created, category in _schedule(rng, year, month, days, per_month):
            yield factory.issue(created, category, index, label)


def generate_issues(
    *,
    months: int = 6,
    seed: int = 7,
    until: date,
    per_month: int = 450,
    project_key: str = "OPS",
) -> Iterator[dict[str, Any]]:
    """Jira Cloud v3 issues (fields=*all, expand=changelog) in creation order."""
    labeled = generate_labeled_issues(
        months=months, seed=seed, until=until, per_month=per_month, project_key=project_key
    )
    return (item.issue for item in labeled)


def write_sample(
    out_dir: Path,
    *,
    months: int = 6,
    seed: int = 7,
    until: date,
    per_month: int = 450,
    page_size: int = 100,
    project_key: str = "OPS",
) -> SampleSummary:
    """Write `page-0001.json`… (search/jql response pages) and `manifest.yaml` to `out_dir`."""
    if page_size < 1:
        raise ValueError(f"page_size must be at least 1, got {page_size}")
    labeled = generate_labeled_issues(
        months=months, seed=seed, until=until, per_month=per_month, project_key=project_key
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in sorted(out_dir.glob("page-*.json")):
        stale.unlink()
    tally = _Tally([f"{y:04d}-{m:02d}" for y, m, _ in _month_span(until, months)])
    pages: list[Path] = []
    full: list[dict[str, Any]] | None = None  # held back until we know whether it is the last
    chunk: list[dict[str, Any]] = []
    for item in labeled:
        tally.add(item)
        chunk.append(item.issue)
        if len(chunk) == page_size:
            if full is not None:
                pages.append(_write_page(out_dir, len(pages) + 1, full, page_size, seed))
            full, chunk = chunk, []
    if full is not None:
        pages.append(_write_page(out_dir, len(pages) + 1, full, page_size, seed, last=not chunk))
    if chunk or not pages:
        pages.append(_write_page(out_dir, len(pages) + 1, chunk, page_size, seed, last=True))
    manifest = out_dir / "manifest.yaml"
    header = {
        "generator": "ticket_analytics.samples.generator",
        "seed": seed,
        "months": months,
        "until": until.isoformat(),
        "per_month": per_month,
        "page_size": page_size,
        "project_key": project_key,
        "pages": len(pages),
    }
    text = yaml.safe_dump(header | tally.report(), allow_unicode=True, sort_keys=False)
    _write_atomic(manifest, text.encode("utf-8"))
    return SampleSummary(
        out_dir=out_dir,
        files=(*pages, manifest),
        issues=tally.issues,
        by_month=dict(tally.by_month),
        by_category=dict(tally.by_category),
    )


def _month_span(until: date, months: int) -> list[tuple[int, int, int]]:
    """(year, month, days to fill) for the `months` calendar months ending with until's."""
    year, month, span = until.year, until.month, []
    for _ in range(months):
        span.append((year, month, calendar.monthrange(year, month)[1]))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    span.reverse()
    span[-1] = (until.year, until.month, until.day)
    return span


def _schedule(
    rng: Random, year: int, month: int, days: int, per_month: int
) -> list[tuple[int, str]]:
    """Creation times (epoch ms, sorted) and categories of one month's tickets."""
    full = calendar.monthrange(year, month)[1]
    wobble = 1 + 0.06 * math.sin(month * math.pi / 6) + rng.uniform(-0.03, 0.03)
    first = date(year, month, 1).toordinal()
    weekdays = (1.0 if date.fromordinal(first + d).weekday() < 5 else 0.15 for d in range(days))
    day_cum = tuple(accumulate(weekdays))
    tickets = []
    for _ in range(round(per_month * wobble * days / full)):
        category = _CATEGORIES[bisect(_CATEGORY_CUM, rng.random() * _CATEGORY_CUM[-1])]
        if category == "incident":  # incidents do not keep office hours
            day, hour = int(rng.random() * days), int(rng.random() * 24)
        else:
            day = bisect(day_cum, rng.random() * day_cum[-1])
            busy = rng.random() < 0.94
            hour = _BUSY_HOURS[int(rng.random() * 16)] if busy else int(rng.random() * 24)
        created = js.midnight_kst(first + day) + hour * HOUR + int(rng.random() * HOUR)
        tickets.append((created, category))
    tickets.sort()
    return tickets


def _write_page(
    out_dir: Path,
    number: int,
    issues: list[dict[str, Any]],
    page_size: int,
    seed: int,
    *,
    last: bool = False,
) -> Path:
    page: dict[str, Any] = {"issues": issues, "isLast": last}
    if not last:
        # Opaque like Jira's: clients must pass it back, never parse it.
        cursor = f"sample:{seed}:{number * page_size}".encode()
        page["nextPageToken"] = base64.urlsafe_b64encode(cursor).decode().rstrip("=")
    path = out_dir / f"page-{number:04d}.json"
    _write_atomic(path, json.dumps(page, ensure_ascii=False, separators=(",", ":")).encode())
    return path


def _write_atomic(path: Path, data: bytes) -> None:
    # A reader (or a crashed run) never sees half a file: write aside, then rename over.
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class _Tally:
    """Counts for the manifest, so analysts can check what the analysis should find."""

    def __init__(self, months: list[str]) -> None:
        self.issues = 0
        self.by_month: Counter[str] = Counter(dict.fromkeys(months, 0))
        self.by_category: Counter[str] = Counter(dict.fromkeys(tpl.CATEGORY_WEIGHTS, 0))
        self.by_status: Counter[str] = Counter()
        self.languages: Counter[str] = Counter()
        self.toil = {p.id: Counter(dict.fromkeys(months, 0)) for p in tpl.TOIL if p.id}
        self.missing = self.rounds = self.reopened = 0

    def add(self, item: LabeledIssue) -> None:
        self.issues += 1
        self.by_month[item.month] += 1
        self.by_category[item.category] += 1
        self.by_status[item.issue["fields"]["status"]["name"]] += 1
        self.languages[item.lang] += 1
        if item.pattern:
            self.toil[item.pattern][item.month] += 1
        self.missing += bool(item.missing)
        self.rounds += item.clarifications
        self.reopened += item.reopened

    def report(self) -> dict[str, Any]:
        return {
            "issues": self.issues,
            "by_month": dict(self.by_month),
            "by_category": dict(self.by_category),
            "by_status": dict(sorted(self.by_status.items())),
            "languages": dict(sorted(self.languages.items())),
            "missing_required_fields": self.missing,
            "clarification_rounds": self.rounds,
            "reopened": self.reopened,
            "toil_patterns": [
                {
                    "id": p.id,
                    "category": p.category,
                    "template": p.summary,
                    "total": sum(self.toil[p.id].values()),
                    "by_month": dict(self.toil[p.id]),
                }
                for p in tpl.TOIL
                if p.id
            ],
        }
