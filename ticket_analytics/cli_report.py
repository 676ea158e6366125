"""`ticket-analytics report --month YYYY-MM [--publish] [--dry-run]`: the monthly analysis.

Runs the same assets as the UI, in-process: every batch of the month through the map model,
then the reduce, then (with --publish) the Confluence page and the Slack message.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def stale_batches(month: str) -> list[str]:
    """Batches whose tickets lack insights from their current prompt (never mapped, failed,
    or changed since): an unchanged month maps nothing again. Empty batches are skipped (the
    UI's schedule completes them, empty) unless they hold rows of tickets gone since."""
    from ticket_analytics.analysis.mapper import missing_batches
    from ticket_analytics.paths import warehouse_path
    from ticket_analytics.warehouse.connection import connect

    with connect(warehouse_path(), read_only=True) as conn:
        return missing_batches(conn, month)


def report_months(
    months: Sequence[str],
    *,
    publish: bool,
    log_level: str = "WARNING",
    resources: Mapping[str, Any] | None = None,
) -> list[Any]:
    """Map the months' stale batches; when any was mapped, rebuild the ticket models and those
    months' marts (the map's categories change them); then reduce and publish each month.
    Returns the Dagster results, stopping at the first failure. `resources` replaces
    configured ones (tests)."""
    import dagster as dg

    from ticket_analytics.defs import analysis
    from ticket_analytics.runner import build, instance, run

    home = instance()
    results: list[Any] = []
    for month in months:
        for batch in stale_batches(month):
            key = dg.MultiPartitionKey({"month": month, "batch": batch})
            results.append(
                run(
                    dg.AssetSelection.assets(analysis.LLM_TICKET_INSIGHTS),
                    partition_key=str(key),
                    dagster_instance=home,
                    log_level=log_level,
                    resources=resources,
                )
            )
            if not results[-1].success:
                return results
    if results:
        results += build(include_ingest=False, months=months, dagster_instance=home)
        if not results[-1].success:
            return results
    config = {
        "ops": {
            a.key.path[-1]: {"config": {"publish": publish}} for a in analysis.REPORT_ASSETS[1:]
        }
    }
    for month in months:
        results.append(
            run(
                dg.AssetSelection.assets(*analysis.REPORT_ASSETS),
                run_config=config,
                partition_key=month,
                dagster_instance=home,
                log_level=log_level,
                resources=resources,
            )
        )
        if not results[-1].success:
            return results
    return results


def _where(result: Any) -> dict[str, str]:
    shown: dict[str, str] = {}
    for event in result.get_asset_materialization_events():
        metadata = event.materialization.metadata
        for name, value in metadata.items():
            if name.endswith("_file") or name == "url":
                shown[name.removesuffix("_file")] = str(value.value)
        if "posted" in metadata:
            shown["slack post"] = (
                "posted" if metadata["posted"].value else str(metadata["reason"].value)
            )
    return shown


def cmd_report(args: argparse.Namespace) -> int:
    from ticket_analytics.cli import print_failures
    from ticket_analytics.defs.models.partitions import month_problem

    if not _MONTH.fullmatch(args.month):
        print(f"--month must be YYYY-MM, got {args.month!r}")
        return 2
    problem = month_problem(args.month)
    if problem:
        print(f"--month: {problem}", file=sys.stderr)
        return 2
    results = report_months([args.month], publish=args.publish and not args.dry_run)
    if not all(r.success for r in results):
        print_failures(results[-1])
        return 1
    for kind, where in _where(results[-1]).items():
        label = kind if not Path(where).suffix else f"{kind} file"
        print(f"  {label:<16} {where}")
    return 0


def register(commands: Any) -> None:
    report = commands.add_parser(
        "report", help="the monthly LLM analysis: Confluence page, preview and Slack message"
    )
    report.add_argument("--month", required=True, help="YYYY-MM (a month in TA_TIMEZONE)")
    mode = report.add_mutually_exclusive_group()
    mode.add_argument(
        "--publish", action="store_true", help="create/update the Confluence page, post to Slack"
    )
    mode.add_argument(
        "--dry-run", action="store_true", help="files only under reports/ (the default)"
    )
    report.set_defaults(handler=cmd_report)
