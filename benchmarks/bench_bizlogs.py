"""Business-log ingestion: lines/s on a big mixed log next to `grep -c`, and peak memory.

    python benchmarks/bench_bizlogs.py [--gb 2] [--quick] [--summary-json FILE]

Writes a mixed log (15% marker lines: text and JSON style, the rest ordinary log lines) of
`--gb` gigabytes, times `grep -c BIZ_METRIC` and DuckDB's own reader counting the same
lines (the floor for this stack: it only filters), then finding the marker lines alone (the scan,
no parse: the part comparable with grep), then `ingest_logs` into a fresh warehouse on the
same file, then ingests a file 4x as large (0.25x and 1x under --quick, which also makes the
file 0.2 GB) to show whether memory stays flat. Each run is its own process, so its peak RSS
and CPU time are its own. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from _common import Summary, header, peak_rss_mb, timed

from ticket_analytics.bizlogs import ingest_logs
from ticket_analytics.bizlogs.scan import scan
from ticket_analytics.warehouse.connection import connect

CHUNK_LINES = 100_000


def _chunk(rng: random.Random, offset_minutes: int) -> bytes:
    lines = []
    for i in range(CHUNK_LINES):
        minute = offset_minutes + i // 200
        stamp = f"2025-10-{1 + minute // 1440 % 28:02d}T{minute // 60 % 24:02d}:{minute % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z"
        roll = rng.random()
        if roll < 0.10:
            lines.append(
                f"{stamp} INFO [order-api] placed BIZ_METRIC event=order.created value={rng.randrange(1000, 90000)}"
                f' unit=KRW status=ok user_id=u{rng.randrange(50000)} note="cart \\"app\\""'
            )
        elif roll < 0.15:
            lines.append(
                json.dumps(
                    {
                        "ts": stamp,
                        "level": "info",
                        "biz": {
                            "event": "payment.succeeded",
                            "value": rng.randrange(1000, 90000),
                            "unit": "KRW",
                            "status": "ok",
                        },
                    },
                    separators=(",", ":"),
                )
            )
        else:
            lines.append(
                f"{stamp} INFO [http-nio-8080-exec-{rng.randrange(64)}] GET /api/v1/items/{rng.randrange(10**6)} 200 {rng.randrange(900)}ms"
            )
    return ("\n".join(lines) + "\n").encode()


def write_log(path: Path, size: int) -> None:
    rng = random.Random(7)
    chunks = [_chunk(rng, n * 500) for n in range(8)]
    written = n = 0
    with open(path, "wb") as out:
        while written < size:
            chunk = chunks[n % len(chunks)]
            out.write(chunk)
            written += len(chunk)
            n += 1


def _ingest_child(log: Path, db: Path) -> None:
    started_cpu = time.process_time()
    with connect(db) as conn, timed() as watch:
        stats = ingest_logs(conn, log)
    print(
        json.dumps(
            {
                "seconds": watch.seconds,
                "cpu_seconds": time.process_time() - started_cpu,
                "lines": stats.lines_read,
                "events": stats.events,
                "rejects": stats.rejects,
                "bytes": stats.bytes_read,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


def _scan_child(log: Path) -> None:
    with timed() as watch:
        found = sum(
            b.lines.num_rows for b in scan(str(log), is_gzip=False, offset=0, lines_before=0)
        )
    print(json.dumps({"seconds": watch.seconds, "marker_lines": found}))


def _child(*args: str) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def _ingest(log: Path, db: Path) -> dict[str, float]:
    return _child("--ingest-child", str(log), str(db))


def _grep(log: Path) -> tuple[int, float]:
    started = time.perf_counter()
    out = subprocess.run(["grep", "-c", "BIZ_METRIC", str(log)], capture_output=True, text=True)
    return int(out.stdout.strip() or 0), time.perf_counter() - started


def _duckdb_count(log: Path) -> float:
    """DuckDB's parallel reader counting the marker lines: the fastest filter on this stack,
    a floor for anything here that must also parse, type and store them."""
    started = time.perf_counter()
    with duckdb.connect() as conn:
        conn.execute(
            "select count(*) from read_csv(?, columns = {'line': 'varchar'}, delim = chr(1),"
            " quote = '', escape = '', header = false, strict_mode = false)"
            " where contains(line, 'BIZ_METRIC')",
            [str(log)],
        ).fetchall()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gb", type=float, default=2.0, help="size of the 1x log (default 2)")
    parser.add_argument("--quick", action="store_true", help="0.2 GB, memory at 0.25x and 1x")
    parser.add_argument(
        "--issues", type=int, help="run_all's size knob: megabytes of the 1x log (2000 = --gb 2)"
    )
    parser.add_argument("--summary-json", type=Path)
    parser.add_argument("--ingest-child", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--scan-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ingest_child:
        _ingest_child(*args.ingest_child)
        return 0
    if args.scan_child:
        _scan_child(args.scan_child)
        return 0
    gb = args.issues / 1000 if args.issues else args.gb
    quick = args.quick or gb < 1
    size = int((0.2 if args.quick else gb) * 1024**3)
    scales = (0.25, 1.0) if quick else (1.0, 4.0)
    header(f"business-log ingestion: {size / 1024**3:.2f} GB mixed log")
    summary = Summary("bizlogs")
    with tempfile.TemporaryDirectory(prefix="bench_bizlogs_") as tmp:
        root = Path(tmp)
        log = root / "mixed.log"
        with timed() as writing:
            write_log(log, size)
        print(f"wrote {log.stat().st_size / 1024**2:,.0f} MB in {writing.seconds:.1f} s")
        _grep(log)  # once to warm the page cache for both contenders
        grep_count, grep_seconds = _grep(log)
        duckdb_seconds = _duckdb_count(log)
        scanned = _child("--scan-child", str(log))
        result = _ingest(log, root / "w1.duckdb")
        lines, seconds = result["lines"], result["seconds"]
        print(
            f"grep -c BIZ_METRIC: {grep_count:,} in {grep_seconds:.2f} s"
            f" ({lines / grep_seconds:,.0f} lines/s)\n"
            f"DuckDB read_csv counting the same lines (no parse): {duckdb_seconds:.2f} s"
            f" ({duckdb_seconds / grep_seconds:.1f}x grep)\n"
            f"finding the marker lines only (no parse): {scanned['marker_lines']:,.0f}"
            f" in {scanned['seconds']:.2f} s ({scanned['seconds'] / grep_seconds:.1f}x grep)\n"
            f"ingest_logs: {lines:,.0f} lines, {result['events']:,.0f} events,"
            f" {result['rejects']:,.0f} rejects in {seconds:.2f} s ({lines / seconds:,.0f} lines/s,"
            f" {result['bytes'] / 1024**2 / seconds:,.0f} MB/s, {result['events'] / seconds:,.0f}"
            f" events/s), CPU {result['cpu_seconds']:.1f} s"
            f" ({result['cpu_seconds'] / seconds:.1f} cores busy), peak RSS {result['peak_rss_mb']:,.0f} MB"
        )
        summary.add("ingest lines/s", f"{lines / seconds:,.0f}", ">= 500,000 on 2 cores")
        summary.add("grep -c lines/s", f"{lines / grep_seconds:,.0f}")
        summary.add("ingest time / grep time", f"{seconds / grep_seconds:.1f}x", "<= 3x")
        summary.add("DuckDB count-only / grep", f"{duckdb_seconds / grep_seconds:.1f}x")
        summary.add(
            "marker lines found, no parse / grep", f"{scanned['seconds'] / grep_seconds:.1f}x"
        )
        rss = {}
        for scale in scales:
            if scale == 1.0:
                rss[scale] = result["peak_rss_mb"]
                continue
            scaled = root / f"mixed-{scale}.log"
            write_log(scaled, int(size * scale))
            run = _ingest(scaled, root / f"w{scale}.duckdb")
            scaled.unlink()
            rss[scale] = run["peak_rss_mb"]
            print(
                f"{scale}x: {run['lines']:,.0f} lines in {run['seconds']:.1f} s"
                f" ({run['lines'] / run['seconds']:,.0f} lines/s), peak RSS {rss[scale]:,.0f} MB"
            )
        for scale in scales:
            summary.add(f"peak RSS at {scale:g}x", f"{rss[scale]:,.0f} MB", "flat")
    summary.finish(None, args.summary_json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
