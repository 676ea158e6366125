"""Run every benchmark in its own process (so peak RSS is per benchmark), then one table.

    python benchmarks/run_all.py [--quick] [NAME ...]   (names: file_load models jira_sync
    llm_analysis triage_eval triage bizlogs)

`--quick` runs everything at a tenth of the size: a check that the benchmarks work end to
end, not figures to quote.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import header, print_table, timed

HERE = Path(__file__).resolve().parent
# (script, full-size --issues); models multiplies its tickets x10 inside DuckDB.
BENCHMARKS = (
    ("bench_file_load.py", 100_000),
    ("bench_models.py", 100_000),
    ("bench_jira_sync.py", 100_000),
    ("bench_llm_analysis.py", 500),
    ("bench_triage_eval.py", 20_000),
    ("bench_triage.py", 500),
    # --issues is the log's size in MB here
    ("bench_bizlogs.py", 2_000),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10x smaller, to check it all runs")
    parser.add_argument("names", nargs="*", help="run only these (default: all)")
    args = parser.parse_args()
    known = [_name(script) for script, _ in BENCHMARKS]
    if unknown := set(args.names) - set(known):
        parser.error(f"unknown benchmark(s) {sorted(unknown)}; choose from {known}")
    header("ticket_analytics benchmarks" + (" (quick: 10x smaller)" if args.quick else ""))
    rows: list[tuple[str, ...]] = []
    failed = 0
    with tempfile.TemporaryDirectory(prefix="bench_run_all_") as tmp, timed() as everything:
        for script, issues in BENCHMARKS:
            name = _name(script)
            if args.names and name not in args.names:
                continue
            size = issues // 10 if args.quick else issues
            out = Path(tmp) / f"{script}.json"
            command = [sys.executable, str(HERE / script), "--issues", str(size)]
            print(f"\n$ {' '.join([Path(sys.executable).name, script, *command[2:]])}", flush=True)
            with timed() as run:
                code = subprocess.call([*command, "--summary-json", str(out)], cwd=HERE.parent)
            if code != 0 or not out.exists():
                failed += 1
                rows.append((name, "FAILED", f"exit status {code}", ""))
                continue
            rows += [(name, *row) for row in json.loads(out.read_text())["rows"]]
            rows.append((name, "benchmark wall time", f"{run.seconds:.0f} s", ""))
    print(f"\nsummary ({everything.seconds / 60:.1f} min in all)")
    print_table(rows)
    return 1 if failed else 0


def _name(script: str) -> str:
    return script.removeprefix("bench_").removesuffix(".py")


if __name__ == "__main__":
    sys.exit(main())
