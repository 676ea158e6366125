"""A blind evaluation set, written without reading the triage rules: printed, never asserted on.

The figures are an honest estimate of how the offline analyzer does on unseen tickets. Asserting
on them would invite tuning the rules (or the set) until they pass, and the set would stop being
blind, so this test only checks that the set loads and is broad enough, then prints the report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ticket_analytics.triage.evaluation import evaluate, format_report, load_eval_set

BLIND = Path(__file__).resolve().parent / "eval_blind"

CATEGORIES = {
    "k8s_service", "rds", "access_request", "cloud_resource",
    "devops_tools", "incident", "deployment", "other",
}  # fmt: skip


def test_blind_set_loads_and_reports(capsys: pytest.CaptureFixture[str]) -> None:
    tickets, labels = load_eval_set(BLIND)
    assert len(tickets) >= 30 and set(labels) == {t.key for t in tickets}
    assert {t.flavor for t in tickets} == {"cloud", "datacenter"}
    assert {e.category for e in labels.values()} == CATEGORIES
    report = evaluate(tickets, labels)
    with capsys.disabled():
        print(f"\neval_blind (untuned, not asserted on)\n{format_report(report)}")
