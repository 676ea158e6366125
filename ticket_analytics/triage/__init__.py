"""Ticket triage without Dagster: normalise a Jira issue, decide its category and which of
that category's required fields are missing, and render the one comment that asks for them.

The public surface: `tickets_from_search` / `ticket_from_issue`, `analyze`, `render_comment`,
`render_followup`, `find_marker`, `redact`; `evaluation` measures it all on labelled tickets.
The bot itself: `tracker` (Jira) and `local_tracker` (DuckDB) behind one `Tracker` protocol,
`service.triage_ticket` (exactly one comment per ticket), `polling` (what a sensor requests),
`records` (decisions into the warehouse) and `verdicts` (the verdicts the models read).
"""

from __future__ import annotations

from ticket_analytics.triage.analyzer import Analysis, FieldResolver, FieldVerdict, analyze
from ticket_analytics.triage.comment import (
    MARKER_PREFIX,
    RenderedComment,
    find_marker,
    render_comment,
    render_followup,
)
from ticket_analytics.triage.redact import redact
from ticket_analytics.triage.tickets import Ticket, ticket_from_issue, tickets_from_search

__all__ = [
    "MARKER_PREFIX",
    "Analysis",
    "FieldResolver",
    "FieldVerdict",
    "RenderedComment",
    "Ticket",
    "analyze",
    "find_marker",
    "redact",
    "render_comment",
    "render_followup",
    "ticket_from_issue",
    "tickets_from_search",
]
