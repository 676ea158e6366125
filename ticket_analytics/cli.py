"""`ticket-analytics`: the command line. It drives the Dagster assets in-process."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from ticket_analytics import cli_bizmetrics, cli_report, cli_triage
from ticket_analytics.paths import reports_dir, sample_dir, warehouse_path


def _print_result(result: object) -> int:
    import dagster as dg

    assert isinstance(result, dg.ExecuteInProcessResult)
    ranges_shown: set[str] = set()
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        assert materialization is not None
        metadata = materialization.metadata
        name = materialization.asset_key.to_user_string()
        month_range = metadata.get("range")
        if month_range is not None:
            # a range run records the same facts for every month in it: show them once
            if name in ranges_shown:
                continue
            ranges_shown.add(name)
            name += f" [{month_range.value}]"
            rows = metadata.get("rows_in_range")
        else:
            rows = metadata.get("dagster/row_count")
            if materialization.partition:
                name += f" [{materialization.partition}]"
        count = f"{rows.value:>9,} rows" if rows is not None else ""
        print(f"  built {name:<40} {count}")
    failed_checks = [e for e in result.get_asset_check_evaluations() if not e.passed]
    for evaluation in failed_checks:
        print(
            f"  check {evaluation.asset_key.to_user_string()}:{evaluation.check_name} failed "
            f"({evaluation.severity.value})"
        )
    if not result.success:
        print_failures(result)
        return 1
    return 0


def print_failures(result: object) -> None:
    """Each failed step and its error, on stderr."""
    import dagster as dg

    assert isinstance(result, dg.ExecuteInProcessResult)
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            # Dagster wraps the asset's own error ("Error occurred while executing op …"):
            # the innermost one says what went wrong
            while error.cause is not None:
                error = error.cause
            print(f"error in {event.step_key}: {error.message.strip()}", file=sys.stderr)


def cmd_sample(args: argparse.Namespace) -> int:
    from ticket_analytics.samples.generator import write_sample

    until = date.fromisoformat(args.until) if args.until else datetime.now(UTC).date()
    summary = write_sample(
        Path(args.out) if args.out else sample_dir(),
        months=args.months,
        seed=args.seed,
        until=until,
        per_month=args.per_month,
    )
    print(f"wrote {summary.issues:,} issues in {len(summary.files)} pages to {summary.out_dir}")
    for month, count in sorted(summary.by_month.items()):
        print(f"  {month}: {count}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    import dagster as dg

    from ticket_analytics.defs.ingest.assets import raw_jira
    from ticket_analytics.runner import instance, run

    if args.jira:
        config = {"source": "jira", "full": args.full}
    else:
        path = Path(args.source).resolve()
        if not path.exists():
            print(f"error: {path}: no such file or directory", file=sys.stderr)
            return 2
        config = {"source": "files", "path": str(path)}
    run_config = {"ops": {"raw_jira": {"config": config}}}
    selection = dg.AssetSelection.assets(raw_jira)
    return _print_result(run(selection, run_config=run_config, dagster_instance=instance()))


def _print_results(results: Sequence[object]) -> int:
    return max((_print_result(result) for result in results), default=0)


def cmd_build(args: argparse.Namespace) -> int:
    import dagster as dg

    from ticket_analytics.defs.models.partitions import month_problem
    from ticket_analytics.runner import build, instance, run

    problem = month_problem(args.month) if args.month else None
    if problem:
        print(f"--month: {problem}", file=sys.stderr)
        return 2
    if args.select:
        from ticket_analytics.definitions import defs

        known = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
        unknown = sorted(set(args.select) - known)
        if unknown:
            print(f"--select: no such model or asset: {', '.join(unknown)}", file=sys.stderr)
            return 2
        selection = dg.AssetSelection.assets(*map(dg.AssetKey.from_user_string, args.select))
        return _print_result(run(selection, dagster_instance=instance(), partition_key=args.month))
    months = [args.month] if args.month else None
    return _print_results(build(include_ingest=False, months=months, dagster_instance=instance()))


def cmd_demo(args: argparse.Namespace) -> int:
    from ticket_analytics.paths import snapshot_path
    from ticket_analytics.runner import build, instance
    from ticket_analytics.warehouse.connection import connect
    from ticket_analytics.warehouse.snapshot import publish_snapshot

    print("generating the sample tickets (if needed), loading and building every model…")
    status = _print_results(build(include_ingest=True, dagster_instance=instance()))
    if status == 0:
        status = _demo_reports()
    if status == 0:
        status = cli_triage.demo_triage()
    if status == 0:
        status = cli_bizmetrics.demo_step()
    if status == 0:
        # the build published the snapshot before triage and the business metrics ran
        with connect(warehouse_path()) as conn:
            publish_snapshot(conn, warehouse_path())
        print(
            "\nDone. Where to look next:\n"
            f"  warehouse   {warehouse_path()}\n"
            f"  sample data {sample_dir()}\n"
            f"  dashboard   {reports_dir() / 'dashboard.html'}\n"
            f"  business    {reports_dir() / 'business.html'}\n"
            f"  monthly     {reports_dir() / 'monthly'}/YYYY-MM.html (Confluence page: "
            f"{reports_dir() / 'confluence'}, Slack: {reports_dir() / 'slack'})\n"
            f"  snapshot    {snapshot_path(warehouse_path())}  (analysts: duckdb -readonly …)\n"
            '  query       .venv/bin/ticket-analytics sql "select * from stg_jira__issues limit 5"\n'
            "  Dagster UI  make ui  (http://127.0.0.1:3000)"
        )
    return status


def _demo_reports() -> int:
    """The monthly report of every complete sample month, offline, as files."""
    from ticket_analytics.runner import months_with_data

    months = months_with_data(warehouse_path())
    print(f"monthly analysis (offline backend) of {len(months)} months…")
    results = cli_report.report_months(months, publish=False)
    if not all(r.success for r in results):
        print_failures(results[-1])
        return 1
    for month in months:
        print(f"  report {month:<33} {reports_dir() / 'monthly' / f'{month}.html'}")
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb
    import polars as pl

    from ticket_analytics.paths import snapshot_path
    from ticket_analytics.warehouse.connection import connect

    live = warehouse_path()
    # The snapshot never blocks a run; the live file only when asked for.
    path = live if args.live or not snapshot_path(live).exists() else snapshot_path(live)
    if not path.exists():
        print(f"error: {path} does not exist yet; run `make demo` first", file=sys.stderr)
        return 2
    query = args.query
    if query.endswith(".sql"):
        try:
            query = Path(query).read_text(encoding="utf-8")
        except OSError as exc:
            print(f"error: {args.query}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    with connect(path, read_only=True) as conn:
        try:
            frame = conn.sql(query).pl()
        except duckdb.Error as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    width = max(shutil.get_terminal_size((160, 40)).columns, 120)
    with pl.Config(tbl_rows=args.limit, tbl_cols=-1, fmt_str_lengths=60, tbl_width_chars=width):
        print(frame)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ticket-analytics", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    sample = commands.add_parser("sample", help="write deterministic Jira-shaped sample tickets")
    sample.add_argument("--months", type=int, default=6)
    sample.add_argument("--seed", type=int, default=7)
    sample.add_argument("--per-month", type=int, default=450)
    sample.add_argument("--until", help="last day of data, YYYY-MM-DD (default: today)")
    sample.add_argument("--out", default=None, help="default: data/sample ($TA_SAMPLE_DIR)")
    sample.set_defaults(handler=cmd_sample)

    ingest = commands.add_parser("ingest", help="load Jira issues into the warehouse")
    origin = ingest.add_mutually_exclusive_group(required=True)
    origin.add_argument("--from", dest="source", help="a Jira JSON export: file or directory")
    origin.add_argument("--jira", action="store_true", help="sync from JIRA_URL (incremental)")
    ingest.add_argument("--full", action="store_true", help="with --jira: resync everything")
    ingest.set_defaults(handler=cmd_ingest)

    build = commands.add_parser("build", help="build the SQL models and run their checks")
    build.add_argument("--select", nargs="*", help="only these models")
    build.add_argument("--month", help="only this month of the monthly marts, YYYY-MM")
    build.set_defaults(handler=cmd_build)

    demo = commands.add_parser("demo", help="sample data → warehouse → models, end to end")
    demo.set_defaults(handler=cmd_demo)

    sql = commands.add_parser("sql", help="query the analysts' snapshot (read-only)")
    sql.add_argument("query", help="SQL text, or a .sql file such as sql/analyst/top_toil.sql")
    sql.add_argument("--live", action="store_true", help="query the live warehouse instead")
    sql.add_argument("--limit", type=int, default=50, help="rows to print")
    sql.set_defaults(handler=cmd_sql)

    cli_report.register(commands)
    cli_triage.register(commands)
    cli_bizmetrics.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
