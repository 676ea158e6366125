"""Triage, offline backend: quality on the labelled tickets, and analysis throughput.

    python benchmarks/bench_triage_eval.py [--issues 20000]

Prints category accuracy and missing-field precision / recall / F1 per category for the
evaluation set (tests/triage/eval_tickets, the rules were tuned on it) and the holdout
(tests/triage/eval_holdout, written after the rules), then times `analyze` + `render_comment`
over `--issues` tickets drawn round-robin from both sets. Figures only; nothing is asserted.
"""

from __future__ import annotations

from itertools import cycle, islice

from _common import REPO, Summary, header, parse_args, rate, timed

from ticket_analytics.triage.analyzer import analyze
from ticket_analytics.triage.comment import render_comment
from ticket_analytics.triage.evaluation import evaluate, format_report, load_eval_set

SETS = {"eval": REPO / "tests/triage/eval_tickets", "holdout": REPO / "tests/triage/eval_holdout"}


def main() -> None:
    args = parse_args(__doc__ or "", default_issues=20_000)
    header("triage evaluation (offline backend)")
    summary = Summary("triage_eval")
    every = []
    for name, folder in SETS.items():
        tickets, labels = load_eval_set(folder)
        every.extend(tickets)
        report = evaluate(tickets, labels)
        print(f"\n{name}: {len(tickets)} tickets ({folder.relative_to(REPO)})")
        print(format_report(report))
        summary.add(f"{name} category accuracy", f"{report.micro.accuracy:.3f}", ">= 0.95")
        summary.add(f"{name} missing-field micro F1", f"{report.micro.f1:.3f}", ">= 0.9")
    sample = list(islice(cycle(every), args.issues))
    comments = 0
    with timed() as run:
        for ticket in sample:
            analysis = analyze(ticket)
            if analysis.missing:
                render_comment(analysis)
                comments += 1
    print(f"\nanalysed {len(sample):,} tickets in {run.seconds:.2f} s ({comments:,} comments)")
    summary.add("analyze + comment", rate(len(sample), run.seconds, "tickets"))
    summary.finish(None, args.summary_json)


if __name__ == "__main__":
    main()
