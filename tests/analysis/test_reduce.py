"""The reduce: figures from SQL, prose grounded in the month, refusal on a partial month."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import pytest
from analysis_support import MONTH, offline_client

from ticket_analytics.analysis.grounding import Grounded, ground, is_ungrounded
from ticket_analytics.analysis.mapper import MapStatus, map_status, missing_batches, plan_batches
from ticket_analytics.analysis.offline import answer_reduce
from ticket_analytics.analysis.prompts import REDUCE_SYSTEM
from ticket_analytics.analysis.reducer import (
    FALLBACK_AUTHOR,
    OFFLINE_AUTHOR,
    MonthIncompleteError,
    _with_citations,
    build_report,
)
from ticket_analytics.analysis.report import SECTIONS, MonthlyReport
from ticket_analytics.analysis.schemas import ReduceAnswer, SectionProse

HANGUL = re.compile(r"[가-힣]")


def _rendered(report: MonthlyReport) -> list[str]:
    """Every prose text as a page shows it: slots filled (an unknown slot would raise)."""
    texts = [*report.prose.values(), *(t.recommendation for t in report.toil)]
    return [text.format_map(report.slots) for text in texts]


def _report_with(conn: duckdb.DuckDBPyConnection, **sections: SectionProse) -> MonthlyReport:
    def handler(messages: Sequence[Mapping[str, str]]) -> ReduceAnswer:
        return answer_reduce(messages).model_copy(update=sections)

    return build_report(conn, MONTH, offline_client(conn, {ReduceAnswer: handler}), "t", "en")


def test_the_offline_report_fills_every_section_from_slots(
    mapped: duckdb.DuckDBPyConnection,
) -> None:
    report = build_report(mapped, MONTH, offline_client(mapped), "t", "en")
    assert set(report.prose) == set(SECTIONS) and all(report.prose.values())
    assert report.title == f"Ops Monthly Report {MONTH}"
    assert report.authors == dict.fromkeys(SECTIONS, OFFLINE_AUTHOR)
    assert report.toil and all(t.recommendation for t in report.toil)
    assert report.dropped_keys == ()
    created = next(f for f in report.figures if f.key == "created_count")
    month_total = sum(len(b) for b in plan_batches(mapped, MONTH).values())
    assert created.value == month_total
    assert all(_rendered(report))


def test_a_korean_report_writes_korean_prose(mapped: duckdb.DuckDBPyConnection) -> None:
    report = build_report(mapped, MONTH, offline_client(mapped), "t", "ko")
    assert report.language == "ko"
    for text in _rendered(report):
        assert HANGUL.search(text), text
    assert all(HANGUL.search(c.label) for c in report.changes)


def test_unknown_ticket_keys_are_dropped_from_the_prose_and_counted(
    mapped: duckdb.DuckDBPyConnection,
) -> None:
    real = next(t.issue_key for b in plan_batches(mapped, MONTH).values() for t in b)
    report = _report_with(
        mapped,
        incidents=SectionProse(
            text=f"Incidents clustered around {real} and OPS-987654 this month.",
            cited_keys=[real, "OPS-987655"],
        ),
    )
    assert report.dropped_keys == ("OPS-987655", "OPS-987654")
    assert "OPS-98765" not in report.prose["incidents"]
    assert real in report.prose["incidents"]


def test_a_cited_key_that_another_key_starts_with_is_still_listed() -> None:
    grounded = Grounded("Incidents clustered around OPS-1000.", ("OPS-100", "OPS-1000"), (), 0)
    assert _with_citations(grounded) == "Incidents clustered around OPS-1000. (OPS-100)"


def test_a_number_the_model_typed_never_reaches_the_page(
    mapped: duckdb.DuckDBPyConnection,
) -> None:
    report = _report_with(
        mapped,
        executive_summary=SectionProse(
            text="Volume rose 42% to 9,999 tickets. The team created {created_count} tickets; "
            "S3 and k8s requests dominated.",
            cited_keys=[],
        ),
    )
    prose = report.prose["executive_summary"]
    assert "42" not in prose and "9,999" not in prose
    assert prose == "The team created {created_count} tickets; S3 and k8s requests dominated."
    assert report.authors["executive_summary"] == OFFLINE_AUTHOR


def test_the_reduce_prompts_own_example_is_a_sentence_the_page_keeps(
    mapped: duckdb.DuckDBPyConnection,
) -> None:
    """A model that copies the prompt's example must not lose the sentence."""
    prompt = " ".join(REDUCE_SYSTEM.format(language="English").split())
    example = re.search(r'\(e\.g\. "([^"]+)"\)', prompt)
    assert example is not None
    report = _report_with(
        mapped, executive_summary=SectionProse(text=example[1] + ".", cited_keys=[])
    )
    assert report.authors["executive_summary"] != FALLBACK_AUTHOR
    assert report.prose["executive_summary"] == example[1] + "."


def test_a_section_with_no_grounded_sentence_falls_back_to_the_template(
    mapped: duckdb.DuckDBPyConnection,
) -> None:
    report = _report_with(
        mapped,
        changes=SectionProse(text="Tickets rose by 12 and {invented_slot} too.", cited_keys=[]),
    )
    assert report.authors["changes"] == FALLBACK_AUTHOR
    assert "{created_change_pct}" in report.prose["changes"]


def test_the_reduce_refuses_a_month_with_a_missing_batch(
    mapped: duckdb.DuckDBPyConnection,
) -> None:
    batch, tickets = next((k, v) for k, v in plan_batches(mapped, MONTH).items() if v)
    mapped.execute(
        "delete from raw.llm_ticket_insights where issue_id = ? and month = ?",
        [tickets[-1].issue_id, MONTH],
    )
    with pytest.raises(MonthIncompleteError, match=f"batch\\(es\\) {batch} of {MONTH}"):
        build_report(mapped, MONTH, offline_client(mapped), "t", "en")


def test_a_ticket_edited_since_the_map_keeps_its_insight_and_the_month_reduces(
    mapped: duckdb.DuckDBPyConnection,
) -> None:
    """Last month's tickets are still worked on when the report runs: an edit (here the
    requester adding what triage asked for) must not block the month; `report` re-maps it."""
    batch, tickets = next((k, v) for k, v in plan_batches(mapped, MONTH).items() if v)
    mapped.execute(
        "update raw.issues set description_text = description_text || ' environment: prod'"
        " where issue_id = ?",
        [tickets[0].issue_id],
    )
    assert map_status(mapped, MONTH) == MapStatus(missing=(), edited=(batch,))
    assert missing_batches(mapped, MONTH) == [batch]  # what `ticket-analytics report` maps
    report = build_report(mapped, MONTH, offline_client(mapped), "t", "en")
    analysed = next(f for f in report.figures if f.key == "analysed_count")
    assert analysed.value == sum(len(v) for v in plan_batches(mapped, MONTH).values())


_FIGURE_KEYS = """\
import sys
from pathlib import Path
from ticket_analytics.analysis.facts import read_month_facts
from ticket_analytics.warehouse.connection import connect
with connect(Path(sys.argv[1]), read_only=True) as conn:
    print([f.key for f in read_month_facts(conn, sys.argv[2], "en").figures])
"""


def test_the_months_figures_come_in_the_same_order_in_every_process(
    mapped_warehouse: Path,
) -> None:
    """The page's tables and the Slack message list them in this order."""
    orders = {
        subprocess.run(
            [sys.executable, "-c", _FIGURE_KEYS, str(mapped_warehouse), MONTH],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(orders) == 1 and "created_count" in orders.pop()


@pytest.mark.parametrize(
    ("sentence", "ungrounded"),
    [
        ("Requests for S3, k8s and EC2 grew; gpt-4o wrote this.", False),
        ("The team created {created_count} tickets.", False),
        ("OPS-12 and OPS-13 repeated.", False),
        ("이번 달 장애는 3건입니다.", True),
        ("Lead time fell to 21.3 hours.", True),
        ("Backlog is {unknown_slot}.", True),
        ("A stray { brace.", True),
    ],
)
def test_what_counts_as_a_typed_figure(sentence: str, ungrounded: bool) -> None:
    assert is_ungrounded(sentence, {"created_count"}) is ungrounded


def test_grounding_keeps_known_citations_and_tidies_cut_keys() -> None:
    grounded = ground("See (OPS-404) and OPS-1.", ["OPS-1", "OPS-2"], {"OPS-1"}, set())
    assert grounded.text == "See and OPS-1."
    assert grounded.cited_keys == ("OPS-1",)
    assert grounded.dropped_keys == ("OPS-2", "OPS-404")


def test_a_report_survives_its_json_round_trip() -> None:
    from ticket_analytics.analysis.report import (
        Change,
        Figure,
        MonthlyReport,
        ToilItem,
        report_from_json,
        report_to_json,
    )

    report = MonthlyReport(
        month="2025-10",
        language="ko",
        title="Ops Monthly Report 2025-10",
        figures=(Figure("created", "Created", 12), Figure("p50", "Lead time", 3.5, "h")),
        categories=(),
        toil=(
            ToilItem("배포 요청 <id>", "deployment", 9, 4.5, "working_hours", "자동화", ("OPS-1",)),
        ),
        incidents=(),
        documentation_gaps=(),
        changes=(Change("created", "Created", None, 12),),
        prose={"executive_summary": "{created} tickets"},
        authors={"executive_summary": "offline"},
        dropped_keys=("OPS-999",),
    )
    assert report_from_json(report_to_json(report)) == report
