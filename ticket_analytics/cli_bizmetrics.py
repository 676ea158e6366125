"""`ticket-analytics bizmetrics --logs PATH [--infra PATH]`, and the demo's business step.

Both run the bizmetrics assets in-process (the same ones `make ui` shows): the logs and infra
into the raw tables, the business models, reports/business.html and the Datadog series
(a dry run to files unless DATADOG_API_KEY is set). The ticket models are read, not built:
incidents come from `fct_tickets`, which `build` (or `demo`) makes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ticket_analytics.paths import reports_dir, warehouse_path

_MODELS_FIRST = (
    "the ticket models are not built yet (fct_tickets, where the incidents come from): "
    "run `ticket-analytics demo`, or `ingest` then `build`, first"
)


def register(subparsers: Any) -> None:
    """Add the `bizmetrics` command to the CLI's subparsers."""
    parser = subparsers.add_parser(
        "bizmetrics",
        help="business metrics from application logs (+ infra metrics) → reports/business.html",
        description=__doc__,
    )
    parser.add_argument("--logs", required=True, help="log file or directory (plain, gzip)")
    parser.add_argument(
        "--infra", help="Prometheus query_range JSON or ts,host,metric,value CSV: file or directory"
    )
    parser.set_defaults(handler=cmd_bizmetrics)


def _has_ticket_models() -> bool:
    from ticket_analytics.warehouse.connection import connect

    if not warehouse_path().exists():
        return False
    with connect(warehouse_path(), read_only=True) as conn:
        found = conn.execute(
            "select count(*) from duckdb_tables() where schema_name = 'main'"
            " and table_name = 'fct_tickets'"
        ).fetchall()
    return bool(found[0][0])


def _value(metadata: Any, name: str) -> Any:
    entry = metadata.get(name)
    return entry.value if entry is not None else None


def _report(result: Any) -> int:
    """Print what the run did: rows and rejects, models, where the page is."""
    import dagster as dg

    assert isinstance(result, dg.ExecuteInProcessResult)
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        assert materialization is not None
        name = materialization.asset_key.to_user_string()
        metadata = materialization.metadata
        rows = _value(metadata, "dagster/row_count")
        if name == "raw/biz_events":
            print(
                f"  logs     {_value(metadata, 'events'):,} new events, "
                f"{_value(metadata, 'rejects'):,} rejected marker lines "
                f"({_value(metadata, 'lines_read'):,} lines read; {rows:,} events in all)"
            )
            reasons = {
                key.removeprefix("rejects_"): entry.value
                for key, entry in metadata.items()
                if key.startswith("rejects_") and key != "rejects_by_reason"
            }
            for reason, count in sorted(reasons.items()):
                print(f"           {reason}: {count:,}")
            excluded = _value(metadata, "excluded_tags")
            if excluded and excluded != "none":
                print(f"           tags kept out of metric dimensions: {excluded}")
        elif name == "raw/infra_metrics":
            print(f"  infra    {_value(metadata, 'points') or 0:,} points read, {rows:,} in all")
        elif name == "business_dashboard_html":
            print(f"  page     {_value(metadata, 'path')}")
        elif name == "datadog_series":
            print(
                f"  datadog  {_value(metadata, 'mode')}: {_value(metadata, 'series'):,} series, "
                f"{_value(metadata, 'points'):,} points"
            )
        elif rows is not None and name != "raw/biz_event_rejects":
            print(f"  built    {name:<32} {rows:>9,} rows")
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    for evaluation in failed:
        print(
            f"  check    {evaluation.asset_key.to_user_string()}:{evaluation.check_name} failed "
            f"({evaluation.severity.value})"
        )
    if result.success:
        return 0
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            message = event.step_failure_data.error.message.strip()
            print(f"error in {event.step_key}: {message}", file=sys.stderr)
    return 1


def run_bizmetrics(
    logs: Path, infra: Path | None, *, datadog_mode: str = "auto", with_infra: bool = True
) -> int:
    """Run the bizmetrics group in-process over `logs` (and `infra`, when given)."""
    import dagster as dg

    from ticket_analytics.defs.bizmetrics.assets import (
        BIZ_EVENTS_OP,
        INFRA_OP,
        RAW_INFRA_METRICS,
    )
    from ticket_analytics.defs.selections import BIZMETRICS
    from ticket_analytics.runner import instance, run

    if not _has_ticket_models():
        print(f"error: {_MODELS_FIRST}", file=sys.stderr)
        return 2
    ops: dict[str, Any] = {
        BIZ_EVENTS_OP: {"config": {"path": str(logs)}},
        "datadog_series": {"config": {"mode": datadog_mode}},
    }
    selection: dg.AssetSelection = dg.AssetSelection.groups(BIZMETRICS)
    if infra is not None:
        ops[INFRA_OP] = {"config": {"path": str(infra)}}
    elif not with_infra:
        # no --infra: import nothing rather than whatever the default would find
        selection = selection - dg.AssetSelection.assets(RAW_INFRA_METRICS)
    result = run(selection, run_config={"ops": ops}, dagster_instance=instance())
    return _report(result)


def cmd_bizmetrics(args: argparse.Namespace) -> int:
    logs = Path(args.logs).resolve()
    infra = Path(args.infra).resolve() if args.infra else None
    for path in (logs, infra):
        if path is not None and not path.exists():
            print(f"error: {path}: no such file or directory", file=sys.stderr)
            return 2
    status = run_bizmetrics(logs, infra, with_infra=False)
    if status == 0:
        print(f"\nopen {reports_dir() / 'business.html'}")
    return status


def demo_step() -> int:
    """The demo's business-metrics step, run after the ticket models are built: sample
    application logs and infra metrics lined up with the sample tickets' incidents (written
    on first use), ingested, modelled, and drawn in reports/business.html. Nothing is sent
    to Datadog (a dry run to reports/datadog/, whatever the environment)."""
    from ticket_analytics.defs.bizmetrics.sources import ensure_sample_applogs

    print("\nbusiness metrics: sample application logs → events → models → business page…")
    sample = ensure_sample_applogs()
    status = run_bizmetrics(sample / "logs", sample / "infra", datadog_mode="dry-run")
    if status == 0:
        print(
            f"  business page {reports_dir() / 'business.html'}\n"
            f"  sample logs   {sample / 'logs'}\n"
            f"  try           .venv/bin/ticket-analytics bizmetrics --logs {sample / 'logs'}"
        )
    return status
