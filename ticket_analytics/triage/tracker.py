"""Where triage reads tickets and writes its comment and labels: Jira, or a local stand-in.

`Tracker` is the whole surface the triage service needs. `JiraTracker` speaks Cloud (ADF
comments, REST v3) and Data Center (wiki text, v2) through the shared `JiraClient`;
`local_tracker.LocalTracker` keeps tickets, comments and labels in DuckDB for the demo.

The queries: new tickets are `created >= -7d AND (labels is EMPTY OR labels not in (X))`,
because Jira's `labels not in (X)` never matches an issue without labels; tickets the bot
asked about come back through `labels = NEEDS_INFO AND labels = AI_ANALYZED AND updated >=
-24h` when the requester edits or replies (both bump `updated`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from ticket_analytics.integrations.jira import JiraClient
from ticket_analytics.jira.adf import adf_to_text
from ticket_analytics.jira.timestamps import parse_jira_timestamp
from ticket_analytics.triage.comment import RenderedComment, find_marker
from ticket_analytics.triage.tickets import Flavor

CommentFormat = Literal["adf", "wiki", "text"]
CommentBody = str | dict[str, Any]
DEFAULT_LABEL = "AI_ANALYZED"
NEEDS_INFO_LABEL = "NEEDS_INFO"
# What the analysis reads, and `updated` for the sensor's run key; never the changelog.
ISSUE_FIELDS = (
    "summary",
    "description",
    "issuetype",
    "components",
    "labels",
    "reporter",
    "created",
    "updated",
)
# Follow-up candidates come with their comments (Jira embeds up to 20), so the sensor can
# tell one that a reply completed from one still waiting for its requester.
FOLLOWUP_FIELDS = (*ISSUE_FIELDS, "comment")


@dataclass(frozen=True)
class TriageLabels:
    """`analysed` (TRIAGE_LABEL) marks a ticket done; `needs_info` one the bot asked about."""

    analysed: str = DEFAULT_LABEL
    needs_info: str = NEEDS_INFO_LABEL

    def __post_init__(self) -> None:
        for label in (self.analysed, self.needs_info):
            if not label or any(ch.isspace() or ch == '"' for ch in label):
                raise ValueError(f"triage labels cannot be empty or hold spaces/quotes: {label!r}")
        if self.analysed == self.needs_info:
            raise ValueError("the analysed label and the needs-info label must differ")


@dataclass(frozen=True)
class TriageQuery:
    """Which tickets triage looks at; `jql` (TRIAGE_JQL) replaces the new-ticket JQL only."""

    labels: TriageLabels = TriageLabels()
    jql: str = ""
    new_within_days: int = 7
    followup_within_hours: int = 24

    @property
    def new_jql(self) -> str:
        return self.jql.strip() or (
            f"created >= -{self.new_within_days}d AND (labels is EMPTY OR labels not in "
            f'("{self.labels.analysed}")) ORDER BY created ASC'
        )

    @property
    def followup_jql(self) -> str:
        """Tickets this bot asked about (both its labels: another tool's NEEDS_INFO is none of
        its business) that someone touched recently."""
        return (
            f'labels = "{self.labels.needs_info}" AND labels = "{self.labels.analysed}" '
            f"AND updated >= -{self.followup_within_hours}h ORDER BY updated ASC"
        )


@dataclass(frozen=True)
class TrackerComment:
    id: str
    body: Any  # as the tracker returns it: ADF dict, wiki or plain text
    by_bot: bool  # written by the account triage runs as
    created: datetime | None = None

    @property
    def text(self) -> str:
        return adf_to_text(self.body)

    @property
    def marker(self) -> str | None:
        """The analysis hash of one of the bot's own comments: a requester who pastes a
        marker into their reply cannot silence the bot."""
        return find_marker(self.body) if self.by_bot else None


class Tracker(Protocol):
    """What triage needs from an issue tracker. Writes raise on failure; the caller then
    leaves the ticket unlabelled, so the next poll tries again."""

    @property
    def name(self) -> str: ...  # for the decisions table: jira-cloud, jira-datacenter, local

    @property
    def flavor(self) -> Flavor | None: ...  # the issue shape; None: guess per issue

    @property
    def comment_format(self) -> CommentFormat: ...

    def find_new(self, query: TriageQuery, limit: int) -> list[dict[str, Any]]:
        """Raw issues to triage: new ones first (oldest first), then follow-up candidates;
        at most `limit` of each kind, no key twice."""
        ...

    def comments(self, key: str) -> list[TrackerComment]: ...

    def embedded_comments(self, issue: Mapping[str, Any]) -> list[TrackerComment] | None:
        """The comments that came with a `find_new` issue; None when not all of them did."""
        ...

    def add_comment(self, key: str, body: CommentBody) -> str:
        """Post a comment; returns its id."""
        ...

    def edit_comment(self, key: str, comment_id: str, body: CommentBody) -> None: ...

    def add_labels(self, key: str, labels: Sequence[str]) -> None: ...

    def remove_label(self, key: str, label: str) -> None: ...


def comment_body(tracker: Tracker, rendered: RenderedComment) -> CommentBody:
    if tracker.comment_format == "adf":
        return rendered.adf
    return rendered.wiki if tracker.comment_format == "wiki" else rendered.text


class JiraTracker:
    """Jira Cloud or Data Center through the shared client (which owns retries and 429s)."""

    def __init__(self, client: JiraClient) -> None:
        self._client = client
        self._bot_ids: frozenset[str] | None = None

    def __repr__(self) -> str:
        return f"JiraTracker({self._client!r})"

    @property
    def name(self) -> str:
        return f"jira-{self._client.flavor}"

    @property
    def flavor(self) -> Flavor:
        return "cloud" if self._client.flavor == "cloud" else "datacenter"

    @property
    def comment_format(self) -> CommentFormat:
        return "adf" if self.flavor == "cloud" else "wiki"

    def find_new(self, query: TriageQuery, limit: int) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for jql, fields in ((query.new_jql, ISSUE_FIELDS), (query.followup_jql, FOLLOWUP_FIELDS)):
            for issue in self._search(jql, fields, limit):
                found.setdefault(str(issue.get("key")), issue)
        return list(found.values())

    def _search(self, jql: str, fields: Sequence[str], limit: int) -> Iterator[dict[str, Any]]:
        taken = 0
        pages = self._client.search(jql, fields=fields, expand="", page_size=min(limit, 100))
        for page in pages:
            for issue in page.issues:
                if taken >= limit:
                    return
                taken += 1
                yield issue

    def comments(self, key: str) -> list[TrackerComment]:
        return self._tracker_comments(self._client.issue_comments(key))

    def embedded_comments(self, issue: Mapping[str, Any]) -> list[TrackerComment] | None:
        fields = issue.get("fields")
        embedded = fields.get("comment") if isinstance(fields, Mapping) else None
        if not isinstance(embedded, Mapping):
            return None
        comments = list(embedded.get("comments") or [])
        total = embedded.get("total")
        if isinstance(total, int) and total > len(comments):
            return None
        return self._tracker_comments(comments)

    def _tracker_comments(self, comments: Iterable[Mapping[str, Any]]) -> list[TrackerComment]:
        bot = self._bot()
        return [
            TrackerComment(
                id=str(c.get("id")),
                body=c.get("body"),
                by_bot=bool(_person_ids(c.get("author")) & bot),
                created=_timestamp(c.get("created")),
            )
            for c in comments
        ]

    def _bot(self) -> frozenset[str]:
        if self._bot_ids is None:
            self._bot_ids = _person_ids(self._client.myself())
        return self._bot_ids

    def add_comment(self, key: str, body: CommentBody) -> str:
        return str(self._client.add_comment(key, body).get("id"))

    def edit_comment(self, key: str, comment_id: str, body: CommentBody) -> None:
        self._client.edit_comment(key, comment_id, body)

    def add_labels(self, key: str, labels: Sequence[str]) -> None:
        self._client.add_labels(key, labels)

    def remove_label(self, key: str, label: str) -> None:
        self._client.remove_labels(key, [label])


def _person_ids(person: object) -> frozenset[str]:
    """Cloud names people by accountId, Data Center by name and key."""
    if not isinstance(person, Mapping):
        return frozenset()
    return frozenset(str(person[k]) for k in ("accountId", "name", "key") if person.get(k))


def _timestamp(value: object) -> datetime | None:
    try:
        return parse_jira_timestamp(value) if isinstance(value, str) else None
    except ValueError:
        return None
