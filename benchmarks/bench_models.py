"""Flow metrics: SQL model build times at 100k tickets and at ~1M tickets / ~10M status changes.

    python benchmarks/bench_models.py [--issues 100000] [--copies 10] [--status-per-issue 10]

Python cannot generate a million tickets quickly, so `--issues` real-shaped tickets are staged
once through the raw loader, then multiplied inside DuckDB: each copy gets new ids and keys
and is shifted by whole months, keeping its changelog and comments. Extra changelog histories
(re-runs of an issue's own transitions a few minutes later) bring status changes up to
`--status-per-issue` per ticket. Payloads are copied as they are: models read ids, keys and
times from the typed columns.
"""

from __future__ import annotations

import argparse
import math
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import duckdb
from _common import (
    SAMPLE_MONTHS,
    SAMPLE_SEED,
    SAMPLE_UNTIL,
    Summary,
    count_rows,
    header,
    per_month,
    slowest_first,
    timed,
)

from ticket_analytics.catalog import default_catalog
from ticket_analytics.jira.records import RawRows
from ticket_analytics.samples.generator import generate_issues
from ticket_analytics.warehouse import models
from ticket_analytics.warehouse.catalog_tables import write_catalog
from ticket_analytics.warehouse.connection import connect
from ticket_analytics.warehouse.model_project import ModelProject, load_project
from ticket_analytics.warehouse.models import build_model
from ticket_analytics.warehouse.raw_load import RawLoader

SLOW_MODEL_S = 15.0
# Far above any generated id, so copies never collide with originals or with each other.
ID_STEP = 100_000_000
HISTORY_STEP = 10_000_000_000
INCREMENTAL = ("fct_monthly_ops", "fct_incident_trends")

_COPY_ISSUES = """
insert into raw.issues
select
    (issue_id::bigint + copy * $step)::varchar,
    project_key || '-' || (split_part(issue_key, '-', -1)::bigint + copy * $step)::varchar,
    project_key,
    created_at + to_months(copy::integer),
    updated_at + to_months(copy::integer),
    resolved_at + to_months(copy::integer),
    description_text, payload, source, fetched_at, deleted_at, parsed, searchable_text
from raw.issues cross join range(1, $copies) as copies(copy)
"""
_COPY_CHANGELOG = """
insert into raw.changelog
select
    (issue_id::bigint + copy * $step)::varchar, history_id,
    created_at + to_months(copy::integer), payload, source, fetched_at, parsed
from raw.changelog cross join range(1, $copies) as copies(copy)
"""
_COPY_COMMENTS = """
insert into raw.comments
select
    (issue_id::bigint + copy * $step)::varchar, comment_id,
    created_at + to_months(copy::integer), updated_at + to_months(copy::integer),
    body_text, payload, source, fetched_at, parsed
from raw.comments cross join range(1, $copies) as copies(copy)
"""
# Rerun r of a history lands r minutes after it; the last rerun covers a hashed fraction of
# histories, so the total lands near the target rather than on a whole multiple.
_EXTRA_HISTORIES = """
insert into raw.changelog
select
    issue_id, (history_id::bigint + rerun * $history_step)::varchar,
    created_at + to_minutes(rerun::integer), payload, source, fetched_at, parsed
from raw.changelog cross join range(1, $whole + 2) as reruns(rerun)
where rerun <= $whole or hash(issue_id, history_id) % 1000 < $per_mille
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--issues", type=int, default=100_000, help="real tickets to stage")
    parser.add_argument("--copies", type=int, default=10, help="x tickets after multiplying")
    parser.add_argument("--status-per-issue", type=float, default=10.0)
    parser.add_argument("--summary-json", type=Path)
    return parser.parse_args()


def stage_generated(conn: duckdb.DuckDBPyConnection, issues: int) -> int:
    """Load generated tickets through RawRows + RawLoader, skipping JSON files entirely."""
    loader = RawLoader(conn)
    rows, seen = RawRows(), 0
    generated = generate_issues(
        months=SAMPLE_MONTHS, seed=SAMPLE_SEED, until=SAMPLE_UNTIL, per_month=per_month(issues)
    )
    for issue in generated:
        seen += 1
        rows.add_issue(issue, f"generator#{issue['key']}")
        if len(rows.issues) == 1_000:
            loader.stage(rows, "bench:generator")
            rows = RawRows()
    loader.stage(rows, "bench:generator")
    loader.commit()
    return seen


@contextmanager
def per_model_seconds() -> Iterator[dict[str, float]]:
    """Time each model inside `build_project`, which looks `build_model` up in its module."""
    spent: dict[str, float] = defaultdict(float)

    def timed_build(conn: Any, model: models.Model, *months: str | None) -> int | None:
        with timed() as watch:
            rows = build_model(conn, model, *months)
        spent[model.name] += watch.seconds
        return rows

    with mock.patch.object(models, "build_model", timed_build):
        yield spent


def build_everything(
    conn: duckdb.DuckDBPyConnection, project: ModelProject, label: str
) -> tuple[float, dict[str, float]]:
    write_catalog(conn, default_catalog())
    months = [
        m
        for (m,) in conn.execute(
            "select distinct strftime(created_at, '%Y-%m') as month from raw.issues order by month"
        ).fetchall()
    ]
    with per_model_seconds() as spent, timed() as full:
        rows = models.build_project(conn, project, months=months)
    print(
        f"build_project at {label}: {full.seconds:.1f} s for {len(project.order)} models, "
        f"{len(months)} months ({months[0]} .. {months[-1]})"
    )
    for name, seconds in slowest_first(spent):
        slow = f"  <-- SLOW (> {SLOW_MODEL_S:.0f} s)" if seconds > SLOW_MODEL_S else ""
        built = "view" if rows[name] is None else f"{rows[name]:,} rows"
        print(f"    {name:<34} {seconds:7.2f} s  {built:>17}{slow}")
    return full.seconds, spent


def multiply(
    conn: duckdb.DuckDBPyConnection, copies: int, status_target: int, ratio: float
) -> None:
    """Copy raw.* `copies` times over, then add histories until status changes near the target."""
    params = {"step": ID_STEP, "copies": copies}
    for table, sql in (
        ("raw.issues", _COPY_ISSUES),
        ("raw.changelog", _COPY_CHANGELOG),
        ("raw.comments", _COPY_COMMENTS),
    ):
        with timed() as watch:
            conn.execute(sql, params)
        print(f"    {table}: {count_rows(conn, table):,} rows ({watch.seconds:.1f} s)")
    histories = count_rows(conn, "raw.changelog")
    extra = max(0.0, (status_target / ratio - histories) / histories)
    if extra > 0:
        whole = math.floor(extra)
        params = {
            "history_step": HISTORY_STEP,
            "whole": whole,
            "per_mille": round((extra - whole) * 1000),
        }
        with timed() as watch:
            conn.execute(_EXTRA_HISTORIES, params)
        print(
            f"    raw.changelog + extra histories: {count_rows(conn, 'raw.changelog'):,} rows "
            f"({watch.seconds:.1f} s)"
        )


def main() -> None:
    args = parse_args()
    header(f"bench_models: {args.issues:,} staged tickets, then x{args.copies} in DuckDB")
    summary = Summary("models")
    project = load_project()
    with tempfile.TemporaryDirectory(prefix="bench_models_") as tmp:
        db = Path(tmp) / "warehouse.duckdb"
        with connect(db) as conn:
            with timed() as setup:
                staged = stage_generated(conn, args.issues)
            print(f"staged {staged:,} generated tickets in {setup.seconds:.1f} s (setup)")
            small_s, _ = build_everything(conn, project, f"{staged:,} tickets")
            ratio = count_rows(conn, "stg_jira__status_changes") / count_rows(conn, "raw.changelog")

            target = round(args.status_per_issue * staged * args.copies)
            print(f"multiplying x{args.copies}, aiming at {target:,} status changes:")
            with timed() as grow:
                multiply(conn, args.copies, target, ratio)
            print(f"  multiplied in {grow.seconds:.1f} s (setup)")
            issues = count_rows(conn, "raw.issues")
            big_s, spent = build_everything(conn, project, f"{issues:,} tickets")
            changes = count_rows(conn, "stg_jira__status_changes")
            print(f"  ({changes:,} status changes; aim: full < 30 s)")

            busiest = conn.execute(
                "select strftime(created_at, '%Y-%m') from raw.issues "
                "group by 1 order by count(*) desc, 1 limit 1"
            ).fetchall()[0][0]
            incremental: dict[str, float] = {}
            for name in INCREMENTAL:
                with timed() as one:
                    rows = build_model(conn, project.models[name], busiest)
                incremental[name] = one.seconds
                print(
                    f"one month ({busiest}, the busiest) of {name}: {one.seconds:.2f} s, {rows:,} rows"
                )
            print("  (aim: one month < 1 s)")

        small_label = f"full build, {staged / 1000:,.0f}k tickets"
        big_label = f"full build, {issues / 1e6:.2f}M tickets / {changes / 1e6:.1f}M changes"
        summary.add(small_label, f"{small_s:.1f} s")
        summary.add(big_label, f"{big_s:.1f} s", "< 30 s")
        ranked = slowest_first(spent)
        slow = [(n, s) for n, s in ranked if s > SLOW_MODEL_S] or ranked[:1]
        for name, seconds in slow:
            flag = f"SLOW > {SLOW_MODEL_S:.0f} s: " if seconds > SLOW_MODEL_S else "slowest: "
            summary.add(flag + name, f"{seconds:.1f} s")
        for name, seconds in incremental.items():
            summary.add(f"one month of {name}", f"{seconds:.2f} s", "< 1 s")
        summary.finish(db, args.summary_json)


if __name__ == "__main__":
    main()
