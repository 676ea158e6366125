"""Foundation: Jira Cloud search pages on disk -> raw.* -> the three staging models.

    python benchmarks/bench_file_load.py [--issues 100000]

Generates the sample tickets, writes them as 100-issue `search/jql` pages, then times
`ingest_files` into a fresh warehouse, the staging models on top, and a replay of the same
files (which must change nothing).
"""

from __future__ import annotations

import base64
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import orjson
from _common import (
    SAMPLE_MONTHS,
    SAMPLE_SEED,
    SAMPLE_UNTIL,
    Summary,
    header,
    parse_args,
    per_month,
    rate,
    slowest_first,
    timed,
)

from ticket_analytics.samples.generator import generate_issues
from ticket_analytics.warehouse import file_ingest
from ticket_analytics.warehouse.connection import connect
from ticket_analytics.warehouse.file_ingest import ingest_files
from ticket_analytics.warehouse.model_project import load_project
from ticket_analytics.warehouse.models import build_model
from ticket_analytics.warehouse.raw_load import LoadStats, RawLoader

PAGE_SIZE = 100
STAGING = ("stg_jira__issues", "stg_jira__status_changes", "stg_jira__comments")


def write_pages(out_dir: Path, issues: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """Stream issues into Cloud search pages without holding them all; returns (issues, pages)."""
    out_dir.mkdir(parents=True)
    count = pages = 0
    held: list[dict[str, Any]] | None = None  # a full page waits until we know if it is last
    chunk: list[dict[str, Any]] = []
    for issue in issues:
        count += 1
        chunk.append(issue)
        if len(chunk) == PAGE_SIZE:
            if held is not None:
                pages += 1
                _write_page(out_dir, pages, held, last=False)
            held, chunk = chunk, []
    if held is not None:
        pages += 1
        _write_page(out_dir, pages, held, last=not chunk)
    if chunk:
        pages += 1
        _write_page(out_dir, pages, chunk, last=True)
    return count, pages


def _write_page(out_dir: Path, number: int, issues: list[dict[str, Any]], *, last: bool) -> None:
    page: dict[str, Any] = {"issues": issues, "isLast": last}
    if not last:
        page["nextPageToken"] = base64.urlsafe_b64encode(f"bench:{number}".encode()).decode()
    (out_dir / f"page-{number:05d}.json").write_bytes(orjson.dumps(page))


@contextmanager
def phases() -> Iterator[dict[str, float]]:
    """Split `ingest_files` time into staging and merging; parsing is what is left.

    Parsing runs in worker processes for big loads, so it is timed as the rest of the load:
    the parent waits on the workers for it. Wraps the loader `file_ingest` looks up by name.
    """
    spent: dict[str, float] = defaultdict(float)

    def clock(phase: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                spent[phase] += time.perf_counter() - started

        return wrapper

    class TimedLoader(RawLoader):
        def stage_frames(self, *args: Any, **kwargs: Any) -> None:
            clock("stage Arrow tables", super().stage_frames)(*args, **kwargs)

        def commit(self) -> LoadStats:
            result: LoadStats = clock("merge into raw.* + commit", super().commit)()
            return result

    with mock.patch.object(file_ingest, "RawLoader", TimedLoader):
        yield spent


def _print_phases(spent: dict[str, float], total: float) -> None:
    spent = {"parse JSON (ADF, timestamps)": total - sum(spent.values()), **spent}
    for phase, seconds in slowest_first(spent):
        print(f"    {phase}: {seconds:.2f} s ({seconds / total:.0%})")


def main() -> None:
    args = parse_args(__doc__ or "", default_issues=100_000)
    header(f"bench_file_load: {args.issues:,} issues as {PAGE_SIZE}-issue Cloud search pages")
    summary = Summary("file_load")
    with tempfile.TemporaryDirectory(prefix="bench_file_load_") as tmp:
        pages_dir, db = Path(tmp) / "pages", Path(tmp) / "warehouse.duckdb"
        with timed() as gen:
            issues = generate_issues(
                months=SAMPLE_MONTHS,
                seed=SAMPLE_SEED,
                until=SAMPLE_UNTIL,
                per_month=per_month(args.issues),
            )
            count, pages = write_pages(pages_dir, issues)
        size_mb = sum(p.stat().st_size for p in pages_dir.iterdir()) / 1024**2
        print(
            f"generate + write: {count:,} issues, {pages:,} pages, {size_mb:,.0f} MB JSON "
            f"in {gen.seconds:.1f} s (setup, not the figure)"
        )

        with connect(db) as conn:
            with phases() as spent, timed() as load:
                stats = ingest_files(conn, pages_dir)
            print(
                f"ingest_files: {load.seconds:.2f} s = {rate(count, load.seconds)} "
                f"(inserted {stats.inserted:,}, changelog rows {stats.changelog_rows:,}, "
                f"comment rows {stats.comment_rows:,}, rejected {stats.rejected:,})"
            )
            _print_phases(spent, load.seconds)
            project = load_project()
            staging_seconds = 0.0
            for name in STAGING:
                # The staging models are views, and counting a view's rows computes none of
                # its columns: hashing every column of every row is one full read.
                with timed() as build:
                    build_model(conn, project.models[name])
                    read = conn.table(name).aggregate("count(*), sum(hash(columns(*)))")
                    rows = read.fetchall()[0][0]
                staging_seconds += build.seconds
                print(f"  {name}: {rows:,} rows, built and read once in {build.seconds:.2f} s")
            total = load.seconds + staging_seconds
            print(
                f"JSON -> raw + staging: {total:.2f} s = {rate(count, total)}  "
                "(aim: 100k in < 10 s)"
            )

        # A fresh connection, as a second `ticket-analytics ingest` run would have.
        with connect(db) as conn, phases() as spent, timed() as replay:
            again = ingest_files(conn, pages_dir)
        print(
            f"replay of the same files: {replay.seconds:.2f} s = {rate(count, replay.seconds)} "
            f"(inserted {again.inserted:,}, updated {again.updated:,}, "
            f"unchanged {again.unchanged:,})"
        )
        _print_phases(spent, replay.seconds)

        aim = "100k in < 10 s"
        summary.add("JSON -> raw", f"{rate(count, load.seconds)} ({load.seconds:.1f} s)", aim)
        summary.add("JSON -> raw + staging", f"{rate(count, total)} ({total:.1f} s)", aim)
        summary.add("staging models", f"{staging_seconds:.1f} s")
        summary.add("idempotent replay", f"{replay.seconds:.1f} s ({again.unchanged:,} unchanged)")
        summary.finish(db, args.summary_json)


if __name__ == "__main__":
    main()
