"""A tracker in the warehouse (`tracker.*`): triage end to end with no Jira, for the demo.

Tickets keep the payload Jira would send (Cloud v3 or Data Center v2); labels, times and
comments live in columns and rows, changed the way Jira changes them (every write moves the
ticket's `updated`). Comments are plain text. It reads and writes through the caller's
connection, so in a Dagster run it is the run's own: runs stay the warehouse's only writer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from ticket_analytics.jira.adf import adf_to_text
from ticket_analytics.triage.tickets import Flavor
from ticket_analytics.triage.tracker import CommentBody, CommentFormat, TrackerComment, TriageQuery
from ticket_analytics.warehouse.sql_files import load_sql

BOT_AUTHOR = "ticket-analytics"
# Seeded tickets arrive this far apart, the newest this long before the seeding.
SEED_SPACING = timedelta(seconds=45)


def jira_time(moment: datetime) -> str:
    """A timestamp as Jira writes it (`2025-11-03T05:05:00.000+0000`), in UTC."""
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}+0000"


class LocalTracker:
    name: str = "local"
    flavor: Flavor | None = None  # payloads keep their shape: ADF means Cloud, text DC
    comment_format: CommentFormat = "text"

    def __init__(
        self, conn: duckdb.DuckDBPyConnection, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._conn = conn
        self._clock = clock or (lambda: datetime.now(UTC))

    def find_new(self, query: TriageQuery, limit: int) -> list[dict[str, Any]]:
        now = self._clock()
        rows = self._conn.execute(
            load_sql("triage_local_pending"),
            {
                "new_since": now - timedelta(days=query.new_within_days),
                "followup_since": now - timedelta(hours=query.followup_within_hours),
                "analysed": query.labels.analysed,
                "needs_info": query.labels.needs_info,
                "limit": limit,
            },
        ).fetchall()
        return [
            _issue(payload, labels, created, updated)
            for _, payload, labels, created, updated in rows
        ]

    def comments(self, key: str) -> list[TrackerComment]:
        rows = self._conn.execute(
            "select comment_id, author, body, created_at from tracker.comments"
            " where issue_key = ? order by created_at, comment_id",
            [key],
        ).fetchall()
        return [
            TrackerComment(str(cid), body, author == BOT_AUTHOR, created)
            for cid, author, body, created in rows
        ]

    def embedded_comments(self, issue: Mapping[str, Any]) -> list[TrackerComment]:
        return self.comments(str(issue.get("key")))

    def add_comment(self, key: str, body: CommentBody, *, author: str = BOT_AUTHOR) -> str:
        self._require(key)
        at = self._clock()
        ((comment_id,),) = self._conn.execute(
            load_sql("triage_local_add_comment"),
            {"issue_key": key, "author": author, "body": _text(body), "at": at},
        ).fetchall()
        self._touch(key, at)
        return str(comment_id)

    def edit_comment(self, key: str, comment_id: str, body: CommentBody) -> None:
        at = self._clock()
        edited = self._conn.execute(
            "update tracker.comments set body = ?, updated_at = ?"
            " where issue_key = ? and comment_id = ? returning comment_id",
            [_text(body), at, key, int(comment_id)],
        ).fetchall()
        if not edited:
            raise KeyError(f"{key} has no comment {comment_id}")
        self._touch(key, at)

    def add_labels(self, key: str, labels: Sequence[str]) -> None:
        current = self._labels(key)
        wanted = current + [label for label in dict.fromkeys(labels) if label not in current]
        if wanted != current:
            self._set_labels(key, wanted)

    def remove_label(self, key: str, label: str) -> None:
        current = self._labels(key)
        if label in current:
            self._set_labels(key, [x for x in current if x != label])

    def add_ticket(self, payload: dict[str, Any], created: datetime | None = None) -> str:
        """Store an issue payload as a new, unlabelled ticket (replayed at `created`)."""
        created = created or self._clock()
        fields = dict(payload.get("fields") or {})
        fields.pop("comment", None)
        fields.update(labels=[], created=jira_time(created), updated=jira_time(created))
        key = str(payload["key"])
        self._conn.execute(
            "insert into tracker.issues values (?, ?, ?, [], ?, ?) on conflict do nothing",
            [key, str(payload["id"]), json.dumps({**payload, "fields": fields}), created, created],
        )
        return key

    def seed_from_warehouse(self, count: int) -> list[str]:
        """The `count` most recent loaded tickets become new local tickets, created
        `SEED_SPACING` apart up to now, in their original order; existing keys are kept."""
        rows = self._conn.execute(load_sql("triage_local_seed"), {"limit": count}).fetchall()
        now = self._clock()
        keys = []
        for age, (_, issue_id, payload) in enumerate(rows, start=1):
            issue = {**json.loads(payload), "id": issue_id}
            keys.append(self.add_ticket(issue, now - age * SEED_SPACING))
        return keys[::-1]

    def edit_description(self, key: str, description: str, *, author: str = "requester") -> None:
        """The requester rewrites the description (plain text, as Data Center stores it)."""
        self._require(key)
        self._conn.execute(
            "update tracker.issues set payload = json_merge_patch(payload, ?) where issue_key = ?",
            [json.dumps({"fields": {"description": description}}), key],
        )
        self._touch(key, self._clock())

    def ticket_count(self) -> int:
        ((count,),) = self._conn.execute("select count(*) from tracker.issues").fetchall()
        return int(count)

    def labels(self, key: str) -> list[str]:
        return self._labels(key)

    def _labels(self, key: str) -> list[str]:
        # fetchall: DuckDB 2 keeps a partly fetched result open on the connection
        rows = self._conn.execute(
            "select labels from tracker.issues where issue_key = ?", [key]
        ).fetchall()
        if not rows:
            raise KeyError(f"no local ticket {key}")
        return list(rows[0][0])

    def _set_labels(self, key: str, labels: list[str]) -> None:
        self._conn.execute(
            "update tracker.issues set labels = ?, updated_at = greatest(updated_at, ?)"
            " where issue_key = ?",
            [labels, self._clock(), key],
        )

    def _touch(self, key: str, at: datetime) -> None:
        self._conn.execute(
            "update tracker.issues set updated_at = greatest(updated_at, ?) where issue_key = ?",
            [at, key],
        )

    def _require(self, key: str) -> None:
        self._labels(key)


def _issue(payload: str, labels: list[str], created: datetime, updated: datetime) -> dict[str, Any]:
    issue: dict[str, Any] = json.loads(payload)
    issue["fields"] = {
        **(issue.get("fields") or {}),
        "labels": list(labels),
        "created": jira_time(created),
        "updated": jira_time(updated),
    }
    return issue


def _text(body: CommentBody) -> str:
    return body if isinstance(body, str) else adf_to_text(body)
