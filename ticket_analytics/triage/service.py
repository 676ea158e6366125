"""One triage pass over a ticket, exactly once: read the bot's own comments, then comment
(only if information is missing), then label.

What makes it exact is that the tracker itself holds the state: every bot comment ends with
a marker carrying the analysis hash, and the labels come last. A crash after the comment, or
a comment POST that the server stored but answered 5xx for, leaves the ticket unlabelled, so
the next poll takes it again, finds the marker with this hash and only labels. Any failure
returns a `failed` decision and writes no label. Two passes must never run on one ticket at
the same time (both would read "no marker"): live runs take a lock beside the warehouse
(`pass_lock`), and the sensor never requests a key whose run is still in flight.

Follow-up: a ticket labelled `NEEDS_INFO` comes back when the requester edits or replies
(replies are read as part of the description).
Still incomplete, with other fields missing: the bot's comment is edited to list what is
left (no new notification). Complete: one short thank-you (a new hash, so a second pass
finds it) and `NEEDS_INFO` is removed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from ticket_analytics.catalog import Catalog
from ticket_analytics.integrations.http import ServiceError
from ticket_analytics.triage.analyzer import Analysis, FieldResolver, analyze
from ticket_analytics.triage.comment import RenderedComment, render_comment, render_followup
from ticket_analytics.triage.tickets import Ticket, ticket_from_issue
from ticket_analytics.triage.tracker import (
    Tracker,
    TrackerComment,
    TriageLabels,
    TriageQuery,
    comment_body,
)

Mode = Literal["live", "dry-run", "shadow"]
MODES: tuple[Mode, ...] = ("live", "dry-run", "shadow")
Action = Literal[
    "commented",  # asked for the missing fields, labelled
    "comment_updated",  # the bot's earlier request now lists what is still missing
    "followed_up",  # complete after the bot asked: thanked once, NEEDS_INFO removed
    "labelled_only",  # complete from the start
    "skipped_already_commented",  # its comment is there (a pass died after it): labels only
    "unchanged",  # nothing to write: already said and labelled (e.g. a follow-up re-check)
    "dry_run",
    "shadow",
    "failed",
]
_ERROR_CHARS = 500


@dataclass(frozen=True)
class Plan:
    """What live mode writes, in this order: the comment (posted, or `edit_id` edited), the
    labels added, the labels removed."""

    action: Action
    comment: RenderedComment | None = None
    edit_id: str | None = None
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    key: str
    issue_id: str
    category: str
    present: Mapping[str, str]
    missing: tuple[str, ...]
    action: Action
    planned_action: Action
    analysis_hash: str
    mode: Mode
    tracker: str
    backend: str
    created: datetime | None
    updated: datetime | None
    decided_at: datetime
    comment_text: str | None = None  # posted, edited in, or (dry run) would be
    error: str | None = None
    decision_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def latency_seconds(self) -> float | None:
        if self.created is None:
            return None
        return max(0.0, (self.decided_at - self.created).total_seconds())


def plan_actions(
    analysis: Analysis,
    labels_now: Sequence[str],
    comments: Sequence[TrackerComment],
    labels: TriageLabels,
    catalog: Catalog | None = None,
) -> Plan:
    """The writes that bring the ticket to the state this analysis calls for (pure)."""
    mine = [c for c in comments if c.marker is not None]
    said = {c.marker for c in mine}
    has = set(labels_now)
    if analysis.missing:
        add = tuple(x for x in (labels.analysed, labels.needs_info) if x not in has)
        if analysis.analysis_hash in said:
            return Plan("skipped_already_commented" if add else "unchanged", add=add)
        request = render_comment(analysis, catalog)
        if mine:
            return Plan("comment_updated", request, edit_id=mine[-1].id, add=add)
        return Plan("commented", request, add=add)
    # The bot asked when it commented or holds both its labels; a NEEDS_INFO set by someone
    # else is theirs: neither thanked for nor removed.
    asked = bool(mine) or {labels.analysed, labels.needs_info} <= has
    add = (labels.analysed,) if labels.analysed not in has else ()
    remove = (labels.needs_info,) if asked and labels.needs_info in has else ()
    if analysis.analysis_hash in said:
        action: Action = "skipped_already_commented" if add or remove else "unchanged"
        return Plan(action, add=add, remove=remove)
    if asked:
        return Plan("followed_up", render_followup(analysis), add=add, remove=remove)
    return Plan("labelled_only" if add else "unchanged", add=add, remove=remove)


def with_replies(ticket: Ticket, comments: Sequence[TrackerComment]) -> Ticket:
    """The ticket as the analysis reads it: a requester may answer in a reply instead of
    editing the description, so people's comments count as description; the bot's never."""
    replies = [text for c in comments if not c.by_bot and (text := c.text.strip())]
    if not replies:
        return ticket
    return replace(ticket, description="\n\n".join([ticket.description, *replies]))


def carry_out(tracker: Tracker, key: str, plan: Plan) -> None:
    if plan.comment is not None:
        body = comment_body(tracker, plan.comment)
        if plan.edit_id is not None:
            tracker.edit_comment(key, plan.edit_id, body)
        else:
            tracker.add_comment(key, body)
    if plan.add:
        tracker.add_labels(key, plan.add)
    for label in plan.remove:
        tracker.remove_label(key, label)


def triage_ticket(
    tracker: Tracker,
    raw_issue: Mapping[str, Any],
    mode: Mode = "live",
    resolver: FieldResolver | None = None,
    *,
    labels: TriageLabels | None = None,
    catalog: Catalog | None = None,
    backend: str = "offline",
    clock: Callable[[], datetime] | None = None,
) -> Decision:
    """Triage one raw issue (as the tracker returned it). Never raises for the ticket's own
    trouble: a failure is a `failed` decision, with nothing labelled."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    labels = labels or TriageLabels()
    now = clock or _utcnow
    ticket = ticket_from_issue(raw_issue, tracker.flavor)
    analysis: Analysis | None = None
    plan: Plan | None = None

    def decided(action: Action, error: str | None = None) -> Decision:
        planned = plan.action if plan is not None else action
        comment = plan.comment.text if plan is not None and plan.comment is not None else None
        return Decision(
            key=ticket.key,
            issue_id=ticket.id,
            category=analysis.category if analysis else "unknown",
            present=dict(analysis.present) if analysis else {},
            missing=analysis.missing if analysis else (),
            action=action,
            planned_action=planned,
            analysis_hash=analysis.analysis_hash if analysis else "",
            mode=mode,
            tracker=tracker.name,
            backend=backend,
            created=ticket.created,
            updated=ticket.updated,
            decided_at=now(),
            comment_text=comment,
            error=error,
        )

    try:
        comments = tracker.comments(ticket.key)
        analysis = analyze(with_replies(ticket, comments), catalog, resolver)
        plan = plan_actions(analysis, ticket.labels, comments, labels, catalog)
        if mode == "live":
            carry_out(tracker, ticket.key, plan)
            return decided(plan.action)
        return decided("dry_run" if mode == "dry-run" else "shadow")
    except Exception as exc:  # whatever failed, the ticket stays unlabelled for the next poll
        return decided("failed", describe(exc))


def triage_pending(
    tracker: Tracker,
    query: TriageQuery,
    mode: Mode = "live",
    *,
    keys: Sequence[str] = (),
    limit: int = 100,
    resolver: FieldResolver | None = None,
    catalog: Catalog | None = None,
    backend: str = "offline",
    clock: Callable[[], datetime] | None = None,
) -> tuple[list[Decision], list[str]]:
    """One poll: the tickets the query finds (only `keys`, when given), each triaged.

    Returns the decisions and the requested keys that are no longer pending (done by an
    earlier pass since they were listed). The query is asked again rather than trusting the
    keys, so a run acts on the tickets' state now, not on the sensor's.
    """
    wanted = set(keys)
    issues = tracker.find_new(query, max(limit, len(wanted)))
    if wanted:
        issues = [i for i in issues if str(i.get("key")) in wanted]
    found = {str(i.get("key")) for i in issues}
    decisions = [
        triage_ticket(
            tracker,
            issue,
            mode,
            resolver,
            labels=query.labels,
            catalog=catalog,
            backend=backend,
            clock=clock,
        )
        for issue in issues
    ]
    return decisions, sorted(wanted - found)


def describe(exc: BaseException) -> str:
    """An error for the decisions table: service errors already name method, path and
    status without secrets; anything else by type and message."""
    text = str(exc) if isinstance(exc, ServiceError) else f"{type(exc).__name__}: {exc}"
    return text[:_ERROR_CHARS]


def _utcnow() -> datetime:
    return datetime.now(UTC)
