"""The triage resource: which tracker, which tickets, which labels, which mode."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

import dagster as dg
import duckdb
from pydantic import Field

from ticket_analytics.defs.resources import JiraResource
from ticket_analytics.triage.local_tracker import LocalTracker
from ticket_analytics.triage.service import MODES, Mode
from ticket_analytics.triage.tracker import JiraTracker, Tracker, TriageLabels, TriageQuery

TRACKERS = ("auto", "jira", "local")


class TriageResource(dg.ConfigurableResource):
    """Where triage reads tickets and writes its comment and labels, and how.

    `tracker=auto` means Jira when `JIRA_URL` is set, else the local tracker in the
    warehouse (the demo). The sync scope (`JIRA_JQL`) plays no part: triage has its own query.
    """

    jira: JiraResource
    tracker: str = Field(default="auto", description="auto (Jira if JIRA_URL), jira or local")
    jql: str = Field(
        default="",
        description="TRIAGE_JQL: new tickets to triage; empty means created in the last 7 days "
        "and not labelled yet (labels is EMPTY OR labels not in (TRIAGE_LABEL))",
    )
    label: str = Field(default="AI_ANALYZED", description="TRIAGE_LABEL: marks a ticket analysed")
    needs_info_label: str = Field(default="NEEDS_INFO", description="the bot asked for more")
    mode: str = Field(default="live", description="TRIAGE_MODE: live, dry-run or shadow")
    poll_limit: int = Field(default=500, description="tickets a poll takes, per query")
    batch_size: int = Field(default=100, description="tickets per run, at most")

    @property
    def uses_jira(self) -> bool:
        if self.tracker not in TRACKERS:
            raise dg.Failure(f"triage tracker must be one of {TRACKERS}, got {self.tracker!r}")
        return self.tracker == "jira" or (self.tracker == "auto" and self.jira.is_configured)

    def labels(self) -> TriageLabels:
        try:
            return TriageLabels(self.label, self.needs_info_label)
        except ValueError as exc:
            raise dg.Failure(f"TRIAGE_LABEL: {exc}") from exc

    def query(self) -> TriageQuery:
        return TriageQuery(labels=self.labels(), jql=self.jql)

    def run_mode(self, override: str = "") -> Mode:
        mode = (override or self.mode or "live").strip().lower()
        if mode not in MODES:
            raise dg.Failure(f"TRIAGE_MODE must be one of {', '.join(MODES)}, got {mode!r}")
        return cast(Mode, mode)

    @contextmanager
    def open(self, conn: duckdb.DuckDBPyConnection | None = None) -> Iterator[Tracker]:
        """The tracker; the local one works on `conn`, the run's warehouse connection."""
        if self.uses_jira:
            with self.jira.client() as client:
                yield JiraTracker(client)
            return
        if conn is None:
            raise dg.Failure("the local tracker lives in the warehouse: open it with a connection")
        yield LocalTracker(conn)
