"""The offline analyzer meets the issue's aims on the labelled evaluation set."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticket_analytics.triage.evaluation import evaluate, format_report, load_eval_set

HERE = Path(__file__).resolve().parent


def test_eval_set_is_broad_enough() -> None:
    tickets, labels = load_eval_set(HERE / "eval_tickets")
    assert len(tickets) >= 60 and set(labels) == {t.key for t in tickets}
    assert {t.flavor for t in tickets} == {"cloud", "datacenter"}
    assert {e.category for e in labels.values()} == {
        "k8s_service", "rds", "access_request", "cloud_resource",
        "devops_tools", "incident", "deployment", "other",
    }  # fmt: skip
    assert any(e.missing for e in labels.values()) and any(not e.missing for e in labels.values())


@pytest.mark.parametrize("folder", ["eval_tickets", "eval_holdout"])
def test_offline_triage_meets_the_accuracy_and_f1_floor(
    folder: str, capsys: pytest.CaptureFixture[str]
) -> None:
    report = evaluate(*load_eval_set(HERE / folder))
    with capsys.disabled():
        print(f"\n{folder}\n{format_report(report)}")
    assert report.micro.accuracy >= 0.95
    assert report.micro.f1 >= 0.9
