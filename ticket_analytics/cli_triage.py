"""`ticket-analytics triage`: poll the tracker once, or analyse a search response offline.

    ticket-analytics triage --once [--dry-run | --mode shadow] [--seed-local N]
    ticket-analytics triage --input FILE --backend offline --dry-run --json

`--once` runs the triage assets in-process, exactly what a sensor-requested run does (the
configured tracker: Jira when JIRA_URL is set, else the local tracker in the warehouse).
`--input` touches nothing: no tracker, no warehouse; it prints what the bot would post.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

# Seeded into the local tracker by the demo: enough to show every kind of decision.
DEMO_TICKETS = 12
_DEMO_COMMENTS_SHOWN = 2


def register(subparsers: Any) -> None:
    """Add the `triage` command to the CLI's subparsers."""
    triage = subparsers.add_parser(
        "triage", help="comment on new tickets that lack information (see README, Triage)"
    )
    what = triage.add_mutually_exclusive_group(required=True)
    what.add_argument("--once", action="store_true", help="poll the configured tracker once")
    what.add_argument(
        "--input",
        metavar="FILE",
        help="a Jira search response (Cloud v3 or Data Center v2) to analyse; writes nothing",
    )
    triage.add_argument(
        "--backend",
        choices=["offline"],
        default="offline",
        help="how unsure fields are settled (offline: the rules alone)",
    )
    modes = triage.add_mutually_exclusive_group()
    modes.add_argument(
        "--dry-run", action="store_true", help="print the comments it would post, write nothing"
    )
    modes.add_argument(
        "--mode",
        choices=["live", "dry-run", "shadow"],
        help="with --once: override TRIAGE_MODE",
    )
    triage.add_argument("--json", action="store_true", help="with --input: a JSON array")
    triage.add_argument(
        "--seed-local",
        type=int,
        metavar="N",
        help="with --once on the local tracker: first add the N most recent loaded tickets "
        "as new tickets (the demo does this with 12)",
    )
    triage.set_defaults(handler=cmd_triage)


def cmd_triage(args: argparse.Namespace) -> int:
    if args.input:
        if args.mode or args.seed_local:
            print("error: --input takes no --mode or --seed-local", file=sys.stderr)
            return 2
        return _analyse_file(Path(args.input), as_json=args.json)
    mode = "dry-run" if args.dry_run else (args.mode or "")
    return poll_once(mode=mode, seed_local=args.seed_local or 0)


def preview(payload: Any) -> list[dict[str, Any]]:
    """What the bot would say about each ticket of a search response (the evaluation
    interface): category, missing and present field ids, and the comment (None: complete)."""
    from ticket_analytics.triage import analyze, render_comment, tickets_from_search

    if not isinstance(payload, dict) or not isinstance(payload.get("issues"), list):
        raise ValueError("not a Jira search response: expected an object with an 'issues' list")
    rows = []
    for ticket in tickets_from_search(payload):
        analysis = analyze(ticket)
        rows.append(
            {
                "key": analysis.key,
                "category": analysis.category,
                "missing_fields": list(analysis.missing),
                "present_fields": list(analysis.present),
                "comment": render_comment(analysis).text if analysis.missing else None,
            }
        )
    return rows


def _analyse_file(path: Path, *, as_json: bool) -> int:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        rows = preview(payload)
    except FileNotFoundError:
        print(f"error: {path}: no such file", file=sys.stderr)
        return 2
    except (ValueError, UnicodeDecodeError) as exc:
        print(f"error: {path}: {exc}", file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        missing = ", ".join(row["missing_fields"]) or "nothing"
        print(f"{row['key']}  {row['category']}  missing: {missing}")
        if row["comment"]:
            print("  " + row["comment"].replace("\n", "\n  "))
    return 0


def poll_once(mode: str = "", seed_local: int = 0, resources: dict[str, Any] | None = None) -> int:
    """One triage run in-process (the sensor's run, over whatever is pending), then what it
    decided. `resources` replaces configured ones (the demo forces the local tracker)."""
    import dagster as dg

    from ticket_analytics.defs.triage.assets import TRIAGE_DECISIONS, run_config
    from ticket_analytics.runner import instance, run

    triage = (resources or {}).get("triage") or _configured_triage()
    if triage is None:
        print(
            "error: triage is not in ticket_analytics.definitions yet "
            "(merge ticket_analytics.defs.triage.defs)",
            file=sys.stderr,
        )
        return 2
    if seed_local:
        if triage.uses_jira:
            print("error: --seed-local is for the local tracker (JIRA_URL is set)", file=sys.stderr)
            return 2
        print(f"seeded {len(_seed_local(seed_local))} local tickets")
    result = run(
        dg.AssetSelection.groups("triage"),
        run_config=run_config([], mode),
        resources=resources,
        dagster_instance=instance(),
    )
    _print_decisions(result.run_id)
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
                message = event.step_failure_data.error.message.strip()
                print(f"error in {event.step_key}: {message}", file=sys.stderr)
        return 1
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    return 0 if TRIAGE_DECISIONS in materialized else 1


def demo_triage(count: int = DEMO_TICKETS) -> int:
    """The demo's triage step, always on the local tracker (never Jira, whatever is set):
    the most recent sample tickets arrive as new tickets, one poll comments and labels them,
    and the dashboard is drawn again with the triage charts."""
    import dagster as dg

    from ticket_analytics.defs.resources import JiraResource
    from ticket_analytics.defs.triage.resources import TriageResource
    from ticket_analytics.runner import instance, run

    if _local_count():
        # A second demo changes nothing: the tickets were triaged the first time.
        print("\ntriage: the local tracker already holds the demo tickets")
        _print_local_comments()
        return 0
    local = TriageResource(jira=JiraResource(), tracker="local", mode="live")
    print("\ntriage: new tickets arrive in the local tracker; one poll…")
    status = poll_once(mode="live", seed_local=count, resources={"triage": local})
    if status == 0:
        _print_local_comments()
        dashboard = run(dg.AssetSelection.assets("dashboard_html"), dagster_instance=instance())
        status = 0 if dashboard.success else 1
    return status


def _configured_triage() -> Any:
    from ticket_analytics.definitions import defs

    return (defs.resources or {}).get("triage")


def _seed_local(count: int) -> list[str]:
    from ticket_analytics.paths import warehouse_path
    from ticket_analytics.triage.local_tracker import LocalTracker
    from ticket_analytics.warehouse.connection import connect

    with connect(warehouse_path()) as conn:
        return LocalTracker(conn).seed_from_warehouse(count)


def _local_count() -> int:
    from ticket_analytics.paths import warehouse_path
    from ticket_analytics.triage.local_tracker import LocalTracker
    from ticket_analytics.warehouse.connection import connect

    with connect(warehouse_path()) as conn:
        return LocalTracker(conn).ticket_count()


def _print_decisions(run_id: str) -> None:
    from ticket_analytics.paths import warehouse_path
    from ticket_analytics.warehouse.connection import connect

    with connect(warehouse_path(), read_only=True) as conn:
        rows = conn.execute(
            "select issue_key, category, action, missing_fields, comment_text"
            " from raw.triage_decisions where run_id = ? order by decided_at, issue_key",
            [run_id],
        ).fetchall()
    print(f"  {len(rows)} decisions")
    for key, category, action, missing, comment in rows:
        print(f"  {key:<12} {category:<15} {action:<26} missing: {', '.join(missing) or '-'}")
        if action == "dry_run" and comment:
            print("    " + comment.replace("\n", "\n    "))


def _print_local_comments() -> None:
    from ticket_analytics.paths import warehouse_path
    from ticket_analytics.warehouse.connection import connect

    with connect(warehouse_path(), read_only=True) as conn:
        rows = conn.execute(
            "select issue_key, body from tracker.comments order by created_at, comment_id limit ?",
            [_DEMO_COMMENTS_SHOWN],
        ).fetchall()
        ((total,),) = conn.execute("select count(*) from tracker.comments").fetchall()
    print(f"\n  the local tracker received {total} comments, e.g.:")
    for key, body in rows:
        print(f"  --- {key}\n    " + body.replace("\n", "\n    "))
