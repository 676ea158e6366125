"""How a sample ticket moves through the DevOps workflow, including the clarification rounds.

Open → In Progress → [Waiting for Customer → In Progress]* → Resolved → Closed, and
Resolved → Reopened → In Progress → Resolved for a few. Every move into Waiting for Customer
comes 10 to 110 s after the assignee's comment that mentions the reporter and lists, one bullet
each, the catalog labels (ko or en) of the missing fields; the reporter's reply, "label: value"
lines, comes before the move back to In Progress. A ticket's life stops at the first step that
would fall after `until`, which leaves a realistic backlog near the end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from random import Random
from typing import Any

from ticket_analytics.catalog import RequiredField
from ticket_analytics.samples import jira_shapes as js
from ticket_analytics.samples import templates as tpl
from ticket_analytics.samples.jira_shapes import (
    CLOSED,
    DAY,
    HOUR,
    IN_PROGRESS,
    MIN,
    REOPENED,
    RESOLVED,
    WAITING,
    Actor,
    Trail,
)

# Where each catalog field's value lives in a ticket's template values.
_FIELD_SOURCE = {
    "cloud": "cloud",
    "environment": "env",
    "service_name": "svc",
    "repository": "repo",
    "pod_spec": "pod",
    "db_engine": "engine",
    "db_version": "dbver",
    "target_system": "system",
    "access_level": "level",
    "justification": "why",
    "resource_type": "rtype",
    "purpose": "purpose",
    "tool_name": "tool",
    "target_name": "target",
    "impact": "impact",
    "started_at": "started",
    "symptom": "symptom",
    "version": "version",
    "schedule": "schedule",
}
# Hours from pickup to done (shortest, longest); the draw is skewed towards the short end.
_WORK_HOURS = {
    "access_request": (0.3, 6),
    "deployment": (2, 48),
    "devops_tools": (1, 24),
    "cloud_resource": (2, 36),
    "k8s_service": (8, 96),
    "rds": (6, 72),
    "incident": (0.3, 5),
    "other": (1, 72),
}


def field_value(field: RequiredField, values: dict[str, str]) -> str:
    """The ticket's value for a catalog field; the catalog example for fields added by users."""
    return values.get(_FIELD_SOURCE.get(field.id, ""), field.example)


def label(field: RequiredField, lang: str) -> str:
    return field.label.ko if lang == "ko" else field.label.en


def plain(value: str) -> dict[str, Any]:
    return js.doc(js.paragraph(js.text(value)))


class Workflow:
    def __init__(self, rng: Random, end: int, agent: Callable[[], Actor]) -> None:
        self.rng, self.end, self.agent = rng, end, agent

    def _pick(self, items: Sequence[str]) -> str:
        return items[int(self.rng.random() * len(items))]

    def walk(
        self,
        trail: Trail,
        category: str,
        lang: str,
        reporter: Actor,
        absent: list[RequiredField],
        values: dict[str, str],
    ) -> None:
        """Play the ticket's life forward from its creation, stopping before `end`."""
        rng, end = self.rng, self.end
        incident = category == "incident"
        if not incident and rng.random() < 0.012:
            return  # never picked up: the aging backlog
        if incident:
            t = trail.created + 2 * MIN + int(rng.random() * 13 * MIN)
        else:
            t = trail.created + 10 * MIN + int(min(rng.expovariate(1 / 6), 120) * HOUR)
        start = t + 5_000 + int(rng.random() * 110_000)
        if start > end:
            return
        agent = self.agent()
        while agent is reporter:  # team members file tickets too, but never handle their own
            agent = self.agent()
        trail.assign(t, agent, agent)
        trail.move(start, agent, IN_PROGRESS)
        t = start
        if not incident and rng.random() < 0.05:
            t += MIN + int(rng.random() * 30 * MIN)
            if t > end:
                return
            trail.reprioritise(t, agent, "High" if trail.priority != "High" else "Highest")
        t = self._clarify(trail, t, incident, lang, reporter, agent, absent, values)
        if t < 0:
            return
        low, high = _WORK_HOURS[category]
        r = rng.random()
        work = int((low + (high - low) * r * r) * HOUR)
        if not incident and rng.random() < 0.02:
            work *= 15  # stuck in progress for weeks
        updates = tpl.INCIDENT_UPDATES[lang][: 1 + int(rng.random() * 3)] if incident else ()
        for i, note in enumerate(updates, 1):
            at = t + work * i // (len(updates) + 1)
            if at > end:
                return
            trail.comment(at, agent, plain(note))
        if not incident and rng.random() < 0.04:
            at, successor = t + work // 3, self.agent()
            if at > end:
                return
            if successor is not agent:
                trail.assign(at, agent, successor)
                agent = successor
        if work > 2 * DAY and rng.random() < 0.3:
            at = t + work // 2
            if at > end:
                return
            trail.comment(at, reporter, plain(self._pick(tpl.NUDGES[lang])))
        resolved = self._resolve(trail, t + work, agent, lang)
        if resolved < 0:
            return
        if rng.random() < 0.07:
            t = resolved + 2 * HOUR + int(rng.random() * 3 * DAY)
            moved = t + 10_000 + int(rng.random() * 60_000)
            if moved > end:
                return
            trail.comment(t, reporter, plain(self._pick(tpl.REOPEN[lang])))
            trail.move(moved, reporter, REOPENED, js.UNRESOLVE_ITEM)
            trail.reopened = True
            t = moved + 15 * MIN + int(rng.random() * DAY)
            if t > end:
                return
            trail.move(t, agent, IN_PROGRESS)
            resolved = self._resolve(trail, t + HOUR + int(rng.random() * DAY), agent, lang)
            if resolved < 0:
                return
        t = resolved + 3 * DAY + int(rng.random() * 4 * DAY)
        if t <= end:
            trail.move(t, js.AUTOMATION, CLOSED)

    def _clarify(
        self,
        trail: Trail,
        t: int,
        incident: bool,
        lang: str,
        reporter: Actor,
        agent: Actor,
        pending: list[RequiredField],
        values: dict[str, str],
    ) -> int:
        """Ask for the missing fields until all are answered; -1 when `end` comes first."""
        rng, end = self.rng, self.end
        while pending:
            t += 2 * MIN + int(rng.random() * (10 * MIN if incident else 3 * HOUR))
            moved = t + 10_000 + int(rng.random() * 100_000)
            if moved > end:
                return -1
            trail.comment(t, agent, self._ask(reporter, pending, lang))
            trail.move(moved, agent, WAITING)
            trail.rounds += 1
            if incident:
                t = moved + 5 * MIN + int(rng.random() * 25 * MIN)
            else:
                t = moved + 30 * MIN + int(min(rng.expovariate(1 / 10), 72) * HOUR)
                if rng.random() < 0.08:
                    t += 3 * DAY + int(rng.random() * 3 * DAY)
            if t > end:
                return -1
            # Now and then the reply answers all but one question, and another round follows.
            answered = pending[:-1] if len(pending) > 1 and rng.random() < 0.25 else pending
            lines = [f"{label(f, lang)}: {field_value(f, values)}" for f in answered]
            trail.comment(
                t, reporter, js.doc(js.hard_lines(self._pick(tpl.REPLY_HEAD[lang]), lines))
            )
            pending = pending[len(answered) :]
            t += MIN + int(rng.random() * (5 * MIN if incident else 90 * MIN))
            if t > end:
                return -1
            trail.move(t, agent, IN_PROGRESS)
        return t

    def _ask(self, reporter: Actor, fields: list[RequiredField], lang: str) -> dict[str, Any]:
        example = "예:" if lang == "ko" else "e.g."
        return js.doc(
            js.paragraph(reporter.mention, js.text(tpl.ASK_HEAD[lang])),
            js.bullets([f"{label(f, lang)} ({example} {f.example})" for f in fields]),
            js.paragraph(js.text(tpl.ASK_TAIL[lang])),
        )

    def _resolve(self, trail: Trail, t: int, agent: Actor, lang: str) -> int:
        """Comment and resolve at `t`; the resolution time, or -1 when past `end`."""
        moved = t + 10_000 + int(self.rng.random() * 60_000)
        if moved > self.end:
            return -1
        trail.comment(t, agent, plain(self._pick(tpl.RESOLVED_NOTES[lang])))
        trail.move(moved, agent, RESOLVED, js.RESOLVE_ITEM)
        trail.resolved = moved
        return moved
