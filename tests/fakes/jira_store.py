"""FakeJira's issues in memory: create, change, delete, and find them by JQL.

Thread-safe under ``lock``; ids, histories and comments are numbered deterministically, and
generated issues come from a seeded random source. ``weight="jira"`` generates issues as
heavy as Jira's (see ``jira_heavy``).
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fakes import jira_heavy
from fakes.jira_data import Comment, History, StoredIssue, generated, walk
from fakes.jira_jql import Query, key_sort, parse_jql

WEIGHTS = ("light", "jira")


class IssueStore:
    """The issues a FakeJira serves; searches see them through ``matching``."""

    def __init__(
        self,
        *,
        time_zone: str = "UTC",
        search_lag_seconds: float = 0.0,
        seed: int = 0,
        clock: Callable[[], datetime] | None = None,
        weight: str = "light",
    ) -> None:
        if weight not in WEIGHTS:
            raise ValueError(f"weight must be one of {WEIGHTS}")
        self.weight = weight
        self.time_zone = time_zone
        self.search_lag_seconds = search_lag_seconds
        self.clock = clock or (lambda: datetime.now(UTC))
        self.rng = random.Random(seed)
        self.lock = threading.RLock()
        self._issues: dict[int, StoredIssue] = {}
        self._by_key: dict[str, int] = {}
        self._next = {"id": 10_000, "history": 20_000, "comment": 30_000}
        self._numbers: Counter[str] = Counter()
        self._cache: dict[tuple[Any, ...], list[StoredIssue]] = {}
        self._queries: dict[str, Query] = {}  # cleared on every change: "-5d" moves with time
        self._parsed_at: dict[str, int] = {}  # epoch second a relative query was parsed at
        self._version = 0

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def _touch(self) -> None:
        self._version += 1
        self._cache.clear()
        self._queries.clear()

    def _changed(self, issue: StoredIssue) -> None:
        issue.revision += 1
        self._touch()

    def _take(self, kind: str) -> int:
        value = self._next[kind]
        self._next[kind] += 1
        return value

    def add_issue(
        self,
        *,
        project: str = "OPS",
        key: str | None = None,
        summary: str = "Provision Postgres database for payments",
        description: str = "Please create a database.\n\n- size: small\n- region: eu",
        status: str = "Open",
        priority: str = "Medium",
        issuetype: str = "Service Request",
        labels: Iterable[str] = (),
        reporter: str = "alice",
        assignee: str | None = None,
        created: datetime | None = None,
        updated: datetime | None = None,
        histories: int = 0,
        comments: Iterable[str] = (),
    ) -> str:
        """Store one issue; ``histories=n`` adds n status transitions. Returns the key."""
        with self.lock:
            if key is not None:
                project, number = key_sort(key)
            else:
                number = self._numbers[project] + 1
            self._numbers[project] = max(self._numbers[project], number)
            created = created or self.clock()
            issue = StoredIssue(
                id=self._take("id"),
                project=project.upper(),
                number=number,
                created=created,
                updated=max(updated or created, created),
                summary=summary,
                description=description,
                status=status,
                priority=priority,
                issuetype=issuetype,
                labels=list(labels),
                reporter=reporter,
                assignee=assignee,
            )
            self._next["history"] = walk(issue, self.rng, histories, self._next["history"])
            for body in comments:
                at = issue.updated
                issue.comments.append(Comment(self._take("comment"), reporter, body, at, at))
            self._put(issue)
            return issue.key

    def _put(self, issue: StoredIssue) -> None:
        self._issues[issue.id] = issue
        self._by_key[issue.key] = issue.id
        self._touch()

    def make_issues(
        self,
        n: int,
        start: datetime,
        *,
        project: str = "OPS",
        spacing: timedelta = timedelta(minutes=7),
        histories: tuple[int, int] | None = None,
        comments: tuple[int, int] | None = None,
    ) -> list[str]:
        """n seeded issues created ``spacing`` apart from ``start`` (100k in a few seconds;
        heavy ones in about a minute). Counts are uniform in ``histories``/``comments``; left
        out, (0, 4)/(0, 2) for light issues and Jira's spread (``jira_heavy``) for heavy ones."""
        keys = []
        now = self.clock()
        heavy = self.weight == "jira"
        rng = self.rng
        with self.lock:
            for i in range(n):
                number = self._numbers[project] + 1
                self._numbers[project] = number
                n_histories = self._count(histories, (0, 4), jira_heavy.history_count)
                n_comments = self._count(comments, (0, 2), jira_heavy.comment_count)
                issue, self._next["history"], self._next["comment"] = generated(
                    rng,
                    issue_id=self._take("id"),
                    project=project.upper(),
                    number=number,
                    created=start + spacing * i,
                    now=now,
                    histories=0 if heavy else n_histories,
                    comments=0 if heavy else n_comments,
                    history_id=self._next["history"],
                    comment_id=self._next["comment"],
                )
                if heavy:
                    self._next["history"] = jira_heavy.enrich(
                        issue, rng, n_histories, self._next["history"]
                    )
                    self._next["comment"] = jira_heavy.add_comments(
                        issue, rng, n_comments, self._next["comment"]
                    )
                self._issues[issue.id] = issue
                self._by_key[issue.key] = issue.id
                keys.append(issue.key)
            self._touch()
        return keys

    def _count(
        self,
        given: tuple[int, int] | None,
        light: tuple[int, int],
        heavy: Callable[[random.Random], int],
    ) -> int:
        if given is None and self.weight == "jira":
            return heavy(self.rng)
        low, high = given or light
        return low + int(self.rng.random() * (high - low + 1))

    def get(self, key_or_id: str | int) -> StoredIssue:
        with self.lock:
            found = self._find(str(key_or_id))
            if found is None:
                raise KeyError(key_or_id)
            return found

    def _find(self, key_or_id: str) -> StoredIssue | None:
        issue_id = int(key_or_id) if key_or_id.isdigit() else self._by_key.get(key_or_id.upper())
        return self._issues.get(issue_id) if issue_id is not None else None

    @property
    def issue_count(self) -> int:
        return len(self._issues)

    def update_issue(
        self, key: str, *, at: datetime | None = None, author: str = "bob", **fields: Any
    ) -> None:
        """Change fields (summary, description, status, priority, labels, assignee, issuetype),
        bump ``updated`` and append one history with an item per changed field."""
        with self.lock:
            issue = self.get(key)
            at = at or self.clock()
            items = []
            for name, value in fields.items():
                if not hasattr(issue, name) or name in ("id", "project", "number", "created"):
                    raise ValueError(f"cannot update field {name!r}")
                old = getattr(issue, name)
                if name == "labels":
                    value = list(value)
                    items.append((name, None, " ".join(old) or None, None, " ".join(value) or None))
                else:
                    items.append((name, None, old, None, value))
                setattr(issue, name, value)
                if name == "description":
                    issue.rich_description = None
            if items:
                issue.histories.append(History(self._take("history"), author, at, tuple(items)))
            issue.updated = max(at, issue.updated)
            self._changed(issue)

    def delete_issue(self, key: str) -> None:
        with self.lock:
            issue = self.get(key)
            del self._issues[issue.id]
            del self._by_key[issue.key]
            self._touch()

    def add_comment(
        self, key: str, body: Any, *, author: str = "alice", at: datetime | None = None
    ) -> Comment:
        with self.lock:
            issue = self.get(key)
            at = at or self.clock()
            comment = Comment(self._take("comment"), author, body, at, at)
            issue.comments.append(comment)
            issue.updated = max(at, issue.updated)
            self._changed(issue)
            return comment

    def edit_comment(
        self, key: str, comment_id: int, body: Any, *, at: datetime | None = None
    ) -> Comment | None:
        """Replace a comment's body (None if the issue has no such comment)."""
        with self.lock:
            issue = self.get(key)
            comment = next((c for c in issue.comments if c.id == comment_id), None)
            if comment is None:
                return None
            at = at or self.clock()
            comment.body, comment.updated = body, at
            issue.updated = max(at, issue.updated)
            self._changed(issue)
            return comment

    def matching(self, jql: str, reconcile: frozenset[int] = frozenset()) -> list[StoredIssue]:
        """Issues a search sees, sorted; recently updated ones hide until the index catches up."""
        with self.lock:
            cutoff = None
            if self.search_lag_seconds > 0:
                cutoff = self.clock() - timedelta(seconds=self.search_lag_seconds)
            query = self.parse(jql)
            # A relative date ("-7d") moves with the clock, so its hits are cached per second.
            moment = int(self.clock().timestamp()) if query.relative else None
            cache_key = (jql, self._version, cutoff, reconcile, moment)
            cached = self._cache.get(cache_key)
            if cached is None:
                hits = [
                    i
                    for i in self._issues.values()
                    if query.matches(i)
                    and (cutoff is None or i.updated <= cutoff or i.id in reconcile)
                ]
                cached = query.sort(hits)
                if len(self._cache) > 16:
                    self._cache.clear()
                self._cache[cache_key] = cached
            return cached

    def parse(self, jql: str) -> Query:
        with self.lock:
            now = self.clock()
            query = self._queries.get(jql)
            if query is None or (
                query.relative and self._parsed_at.get(jql) != int(now.timestamp())
            ):
                query = self._queries[jql] = parse_jql(jql, zone=self.zone, now=now)
                self._parsed_at[jql] = int(now.timestamp())
            return query
