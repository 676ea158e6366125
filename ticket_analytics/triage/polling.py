"""What a poll asks for: which pending tickets go into which run, and the cursor after it.

Pure functions, no Dagster and no warehouse: the sensor feeds them what the tracker returned
and the keys of runs still in flight, and keeps the cursor (JSON) in Dagster.

A ticket is requested when its `updated` differs from the last time it was requested (new,
edited, replied to, or touched by the bot itself, which costs one no-op pass). In live mode a
ticket still pending at the same `updated` means its pass failed: it is requested again
after a backoff that doubles per attempt (a follow-up candidate only when the rules, reading
its replies, find it complete, since an incomplete one is pending by design). Dry-run and
shadow passes write nothing, so their tickets stay pending: they are analysed again only
when they change. A key whose run is still in flight is never requested twice: two passes
at once would both read "no marker yet" and both comment.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ticket_analytics.triage.analyzer import analyze
from ticket_analytics.triage.service import with_replies
from ticket_analytics.triage.tickets import Flavor, ticket_from_issue
from ticket_analytics.triage.tracker import TrackerComment, TriageLabels

Kind = Literal["new", "followup"]
EmbeddedComments = Callable[[Mapping[str, Any]], Sequence[TrackerComment] | None]
RETRY_BASE_S = 300.0
RETRY_MAX_S = 3600.0
_CURSOR_VERSION = 1


@dataclass(frozen=True)
class Pending:
    key: str
    updated: str  # as the tracker wrote it: only compared, never parsed
    kind: Kind
    complete: bool = False  # follow-up candidates: the rules find nothing missing now


@dataclass(frozen=True)
class Requested:
    updated: str
    at: float  # epoch seconds of the tick that requested it
    attempt: int = 0


@dataclass(frozen=True)
class PollPlan:
    batches: tuple[tuple[tuple[str, str, int], ...], ...]  # (key, updated, attempt) per run
    cursor: dict[str, Requested]
    in_flight: tuple[str, ...] = ()
    waiting: tuple[str, ...] = ()  # failed in live mode, backing off before the next attempt

    @property
    def keys(self) -> list[str]:
        return [key for batch in self.batches for key, _, _ in batch]


@dataclass
class _Scan:
    take: list[tuple[str, str, int]] = field(default_factory=list)
    in_flight: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)


def pending_from_issue(
    issue: Mapping[str, Any],
    labels: TriageLabels,
    flavor: Flavor | None = None,
    embedded_comments: EmbeddedComments | None = None,
) -> Pending:
    """`embedded_comments` (the tracker's) lets a follow-up's replies count, as a pass reads
    them: a reply that completes the ticket and whose pass then failed is retried."""
    ticket = ticket_from_issue(issue, flavor)
    fields = issue.get("fields")
    updated = str(fields.get("updated") or "") if isinstance(fields, Mapping) else ""
    # both labels, as the follow-up query asks: another tool's NEEDS_INFO alone is a new ticket
    if {labels.analysed, labels.needs_info} <= set(ticket.labels):
        if embedded_comments is None:
            return Pending(ticket.key, updated, "followup", analyze(ticket).is_complete)
        comments = embedded_comments(issue)
        # not all comments came with the issue: only a pass can tell, so failures are retried
        complete = comments is None or analyze(with_replies(ticket, comments)).is_complete
        return Pending(ticket.key, updated, "followup", complete)
    return Pending(ticket.key, updated, "new")


def plan_poll(
    pending: Sequence[Pending],
    cursor: Mapping[str, Requested],
    in_flight: Iterable[str],
    *,
    live: bool,
    now: float,
    batch_size: int,
    retry_base_s: float = RETRY_BASE_S,
    retry_max_s: float = RETRY_MAX_S,
) -> PollPlan:
    busy = set(in_flight)
    scan = _Scan()
    kept: dict[str, Requested] = {k: v for k, v in cursor.items() if k in busy}
    for item in pending:
        before = cursor.get(item.key)
        if item.key in busy:
            scan.in_flight.append(item.key)
            if before is not None:
                kept[item.key] = before
            continue
        if before is None or before.updated != item.updated:
            attempt = 0
        elif live and (item.kind == "new" or item.complete):
            backoff = min(retry_max_s, retry_base_s * 2**before.attempt)
            if now - before.at < backoff:
                scan.waiting.append(item.key)
                kept[item.key] = before
                continue
            attempt = before.attempt + 1
        else:
            kept[item.key] = before
            continue
        scan.take.append((item.key, item.updated, attempt))
        kept[item.key] = Requested(item.updated, now, attempt)
    size = max(1, batch_size)
    batches = tuple(tuple(scan.take[i : i + size]) for i in range(0, len(scan.take), size))
    return PollPlan(batches, kept, tuple(scan.in_flight), tuple(scan.waiting))


def run_key(batch: Iterable[tuple[str, str, int]]) -> str:
    """The same tickets in the same state (and attempt) give the same key, whatever order."""
    lines = sorted(f"{key}@{updated}#{attempt}" for key, updated, attempt in batch)
    return "triage-" + hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:24]


def load_cursor(text: str | None) -> dict[str, Requested]:
    """The cursor a sensor stored; anything unreadable starts afresh (every pending ticket
    is requested once more, which the markers make harmless)."""
    if not text:
        return {}
    try:
        document = json.loads(text)
        if document.get("v") != _CURSOR_VERSION:
            return {}
        return {
            str(key): Requested(str(value[0]), float(value[1]), int(value[2]))
            for key, value in document["keys"].items()
        }
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return {}


def dump_cursor(cursor: Mapping[str, Requested]) -> str:
    keys = {key: [r.updated, round(r.at, 3), r.attempt] for key, r in sorted(cursor.items())}
    return json.dumps({"v": _CURSOR_VERSION, "keys": keys}, separators=(",", ":"))


DEFAULT_INTERVAL_S = 60


def interval_seconds() -> int:
    """TRIAGE_INTERVAL_S (default 60): read when the definitions load, since a sensor's
    interval is part of its definition. Not a secret, so no EnvVar is needed."""
    raw = os.environ.get("TRIAGE_INTERVAL_S", "").strip()
    try:
        value = int(raw) if raw else DEFAULT_INTERVAL_S
    except ValueError as exc:
        raise ValueError(f"TRIAGE_INTERVAL_S must be whole seconds, got {raw!r}") from exc
    if value < 1:
        raise ValueError(f"TRIAGE_INTERVAL_S must be at least 1, got {value}")
    return value
