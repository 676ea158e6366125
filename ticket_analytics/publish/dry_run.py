"""The files a dry run (or a run without Confluence and Slack settings) leaves behind."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import orjson

from ticket_analytics.analysis.report import MonthlyReport
from ticket_analytics.publish.monthly_page import render_storage
from ticket_analytics.publish.preview import render_preview
from ticket_analytics.publish.slack_message import build_message

__all__ = ["atomic_write", "dry_run_paths", "write_dry_run"]

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def atomic_write(path: Path, content: str | bytes) -> Path:
    """Replace `path` in one step: a reader sees the old file or the new one, never half."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        # mkstemp creates the file 0600; a report is meant to be shared like any other file.
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


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
