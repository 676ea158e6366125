"""The files a dry run (or a run without Confluence and Slack settings) leaves behind."""

from __future__ import annotations

import re
from pathlib import Path

import orjson

from ticket_analytics.analysis.report import MonthlyReport
from ticket_analytics.paths import atomic_write
from ticket_analytics.publish.monthly_page import render_storage
from ticket_analytics.publish.preview import render_preview
from ticket_analytics.publish.slack_message import build_message

__all__ = ["dry_run_paths", "write_dry_run"]

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def dry_run_paths(month: str, reports_dir: Path) -> dict[str, Path]:
    # The month becomes a file name: refuse anything but YYYY-MM rather than sanitise it.
    if not _MONTH.fullmatch(month):
        raise ValueError(f"month must be YYYY-MM, got {month!r}")
    return {
        "confluence": reports_dir / "confluence" / f"{month}.xhtml",
        "preview": reports_dir / "monthly" / f"{month}.html",
        "slack": reports_dir / "slack" / f"{month}.json",
    }


def write_dry_run(
    report: MonthlyReport, reports_dir: Path, *, jira_base_url: str | None = None
) -> dict[str, Path]:
    """Write the storage page, the HTML preview and the Slack payload; returns them by kind
    (``confluence``, ``preview``, ``slack``)."""
    paths = dry_run_paths(report.month, reports_dir)
    atomic_write(paths["confluence"], render_storage(report, jira_base_url=jira_base_url))
    atomic_write(paths["preview"], render_preview(report, jira_base_url=jira_base_url))
    payload = orjson.dumps(build_message(report), option=orjson.OPT_INDENT_2)
    atomic_write(paths["slack"], payload + b"\n")
    return paths
