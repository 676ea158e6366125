"""Shared plumbing for the benchmark scripts: arguments, timing, machine facts, the summary.

Each benchmark prints its figures as it goes and ends with a few headline rows; `run_all.py`
collects those rows through `--summary-json` to print one table for the whole run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
# A fixed end date keeps every run on byte-identical sample tickets.
SAMPLE_UNTIL = date(2025, 12, 31)
SAMPLE_MONTHS = 12
SAMPLE_SEED = 7


def parse_args(description: str, default_issues: int) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--issues", type=int, default=default_issues, help=f"default {default_issues:,}"
    )
    parser.add_argument(
        "--summary-json", type=Path, help="also write the headline rows here (run_all uses it)"
    )
    return parser.parse_args()


def per_month(issues: int) -> int:
    """The generator's per_month giving about `issues` tickets over the sample months."""
    return max(1, round(issues / SAMPLE_MONTHS))


def machine_facts() -> str:
    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    # Other work on the machine skews every figure; the load average shows it was there.
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"machine: {usable} usable cpus (of {cpus}), {_memory_gb():.0f} GB RAM, "
        f"{platform.system()} {platform.machine()}; python {platform.python_version()}, "
        f"duckdb {duckdb.__version__}; load average {load}"
    )


def _memory_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return float("nan")


def peak_rss_mb() -> float:
    # ru_maxrss is KB on Linux (bytes on macOS); the machines we benchmark on are Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def db_size_mb(path: Path) -> float:
    files = [path, path.with_name(path.name + ".wal")]
    return sum(f.stat().st_size for f in files if f.exists()) / 1024**2


@dataclass
class Stopwatch:
    seconds: float = 0.0


@contextmanager
def timed() -> Iterator[Stopwatch]:
    watch = Stopwatch()
    started = time.perf_counter()
    try:
        yield watch
    finally:
        watch.seconds = time.perf_counter() - started


def slowest_first(spent: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(spent.items(), key=lambda item: item[1], reverse=True)


def rate(count: int, seconds: float, unit: str = "issues") -> str:
    return f"{count / seconds:,.0f} {unit}/s" if seconds > 0 else "n/a"


@dataclass
class Summary:
    """Headline rows of one benchmark: (figure, value, aim)."""

    benchmark: str
    rows: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, figure: str, value: str, aim: str = "") -> None:
        self.rows.append((figure, value, aim))

    def finish(self, db: Path | None, out: Path | None, *, rss_label: str = "peak RSS") -> None:
        if db is not None and db.exists():
            self.add("duckdb file", f"{db_size_mb(db):,.0f} MB")
        self.add(rss_label, f"{peak_rss_mb():,.0f} MB")
        print()
        print_table([(self.benchmark, *row) for row in self.rows])
        if out is not None:
            out.write_text(json.dumps({"benchmark": self.benchmark, "rows": self.rows}))


def print_table(rows: list[tuple[str, ...]]) -> None:
    header = ("benchmark", "figure", "value", "aim")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    sys.stdout.flush()


def header(title: str) -> None:
    print(title)
    print(machine_facts())
    sys.stdout.flush()


def count_rows(conn: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(conn.table(table).count("*").fetchall()[0][0])
