"""A month's tickets as the map sees them: the few fields the analysis needs, from staging."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime

import duckdb

from ticket_analytics.warehouse.sql_files import load_sql

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class MonthTicket:
    issue_id: str
    issue_key: str
    issue_type: str
    status_category: str
    priority: str
    summary: str
    description: str
    components: tuple[str, ...]
    labels: tuple[str, ...]
    created_at: datetime
    resolved_at: datetime | None
    # Tickets of the month sharing this one's request template (itself included): the
    # recurrence fact both the model and the offline toil rule read.
    similar: int = 1

    @property
    def template(self) -> str:
        return request_template(self.summary)


def check_month(month: str) -> str:
    """A YYYY-MM partition key. The SQL turns it into bounds in the session's zone (the
    team's, TA_TIMEZONE), so the map counts a ticket in the same month as the marts do."""
    if not _MONTH.match(month):
        raise ValueError(f"month must be YYYY-MM, got {month!r}")
    return month


def previous_month(month: str) -> str:
    year, number = (int(part) for part in check_month(month).split("-"))
    return f"{year - (number == 1):04d}-{(number - 2) % 12 + 1:02d}"


def sql(name: str) -> str:
    return load_sql(name, "analysis")


def month_tickets(conn: duckdb.DuckDBPyConnection, month: str) -> list[MonthTicket]:
    """The month's tickets ordered by issue id, each with its `similar` count."""
    rows = conn.execute(sql("month_tickets"), {"month": check_month(month)}).fetchall()
    tickets = [
        MonthTicket(
            issue_id=str(issue_id),
            issue_key=str(key),
            issue_type=str(issue_type),
            status_category=str(status_category),
            priority=str(priority),
            summary=str(summary),
            description=str(description),
            components=tuple(components or ()),
            labels=tuple(labels or ()),
            created_at=created_at,
            resolved_at=resolved_at,
        )
        for (
            issue_id,
            key,
            issue_type,
            status_category,
            priority,
            summary,
            description,
            components,
            labels,
            created_at,
            resolved_at,
        ) in rows
    ]
    return with_similar_counts(tickets)


def with_similar_counts(tickets: list[MonthTicket]) -> list[MonthTicket]:
    counts = Counter(t.template for t in tickets)
    return [replace(t, similar=counts[t.template]) for t in tickets]


_LINK = re.compile(r"https?://\S+|\S+@\S+")
_VERSION = re.compile(r"\bv?[0-9]+(\.[0-9]+)+\S*")
_PERSON = re.compile(r"[가-힣]{2,4}님")
_ENV = re.compile(
    r"^[\[(]?(production|prod|prd|staging|stage|stg|develop|dev|qa|uat|sandbox)[\])]?$"
    r"|^(운영|개발|스테이징|검증)"
)
_PUNCT = re.compile(r"^[\W_]+$")


def request_template(summary: str) -> str:
    """The summary with links, versions, ids, numbers and environments masked.

    A Python reading of int_tickets__request_templates (which cannot be used here: it reads
    fct_tickets, which reads the map's output). It knows no people's names, so it groups a
    little less; it only feeds the `similar` hint, never a reported figure.
    """
    text = _PERSON.sub(
        " <person> ", _VERSION.sub(" <version> ", _LINK.sub(" <link> ", summary.lower()))
    )
    tokens: list[str] = []
    for token in text.split():
        if token.startswith("<") and token.endswith(">"):
            masked = token
        elif _PUNCT.match(token):
            continue
        elif _ENV.match(token):
            masked = "<env>"
        elif token.isdigit():
            masked = "<n>"
        elif re.search(r"[_./:-]", token) or (re.search(r"[0-9]", token) and len(token) > 3):
            masked = "<id>"
        else:
            masked = token
        if not (tokens and masked == tokens[-1] and masked.startswith("<")):
            tokens.append(masked)
    return " ".join(tokens)
