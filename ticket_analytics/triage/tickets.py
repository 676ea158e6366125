"""A Jira issue of either shape (Cloud v3 with ADF, Data Center v2 with wiki text) as a Ticket."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from ticket_analytics.jira.adf import adf_to_text
from ticket_analytics.jira.timestamps import parse_jira_timestamp

Flavor = Literal["cloud", "datacenter"]


@dataclass(frozen=True)
class Ticket:
    key: str
    id: str
    issue_type: str
    components: tuple[str, ...]
    labels: tuple[str, ...]
    summary: str
    description: str
    reporter: str
    created: datetime | None
    updated: datetime | None
    flavor: Flavor

    @property
    def text(self) -> str:
        """Summary and description, the text every rule reads."""
        return f"{self.summary}\n\n{self.description}".strip()


def ticket_from_issue(issue: Mapping[str, Any], flavor: Flavor | None = None) -> Ticket:
    """Normalise one issue; `flavor` is guessed from the description when not given.

    An ADF (dict) description means Cloud v3; a string or nothing means Data Center v2, which
    is also what a Cloud v2 response looks like, and v2 bodies are handled the same way.
    """
    fields = issue.get("fields")
    fields = fields if isinstance(fields, Mapping) else {}
    description = fields.get("description")
    if flavor is None:
        flavor = "cloud" if isinstance(description, Mapping) else "datacenter"
    return Ticket(
        key=str(issue.get("key") or ""),
        id=str(issue.get("id") or ""),
        issue_type=_name(fields.get("issuetype")),
        components=tuple(n for c in _list(fields.get("components")) if (n := _name(c))),
        labels=tuple(str(label) for label in _list(fields.get("labels")) if label),
        summary=str(fields.get("summary") or ""),
        description=adf_to_text(description),
        reporter=_person(fields.get("reporter")),
        created=_timestamp(fields.get("created")),
        updated=_timestamp(fields.get("updated")),
        flavor=flavor,
    )


def tickets_from_search(payload: Mapping[str, Any]) -> list[Ticket]:
    """Tickets of one search page: Cloud `/rest/api/3/search/jql` (`issues`, maybe
    `nextPageToken`/`isLast`) or Data Center `/rest/api/2/search` (`startAt`, `total`).

    The flavor is decided once per page: a v2 page never holds ADF, and a Cloud page whose
    issues all lack a description would otherwise be misread as Data Center.
    """
    issues = [i for i in _list(payload.get("issues")) if isinstance(i, Mapping)]
    flavor: Flavor
    if "nextPageToken" in payload or ("isLast" in payload and "total" not in payload):
        flavor = "cloud"
    elif "startAt" in payload or "total" in payload:
        flavor = "datacenter"
    elif any(_has_adf(i) for i in issues):
        flavor = "cloud"
    else:
        flavor = "datacenter"
    return [ticket_from_issue(issue, flavor) for issue in issues]


def _has_adf(issue: Mapping[str, Any]) -> bool:
    fields = issue.get("fields")
    return isinstance(fields, Mapping) and isinstance(fields.get("description"), Mapping)


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _name(value: object) -> str:
    if isinstance(value, Mapping):
        name = value.get("name") or value.get("value")
        return str(name) if name else ""
    return str(value) if isinstance(value, str) else ""


def _person(value: object) -> str:
    if not isinstance(value, Mapping):
        return ""
    for key in ("displayName", "name", "accountId"):
        if value.get(key):
            return str(value[key])
    return ""


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_jira_timestamp(value)
    except ValueError:
        # A bad timestamp must not stop a ticket from being triaged; the time is only metadata.
        return None
