"""Category, own-fields-only verdicts, the resolver contract and a stable hash."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from ticket_analytics.catalog import Category, RequiredField, default_catalog
from ticket_analytics.triage.analyzer import FieldVerdict, analyze
from ticket_analytics.triage.tickets import Ticket


def _ticket(summary: str, description: str = "", issue_type: str = "Task") -> Ticket:
    return Ticket(
        key="OPS-1", id="1", issue_type=issue_type, components=(), labels=(), summary=summary,
        description=description, reporter="r", created=None, updated=None, flavor="datacenter",
    )  # fmt: skip


def test_only_the_categorys_own_fields_are_checked() -> None:
    analysis = analyze(_ticket("Grafana 조회 권한 요청", "RDS MySQL 8.0 운영 DB 보려고 합니다"))
    own = {f.id for f in default_catalog().get("access_request").required_fields}
    assert analysis.category == "access_request"
    assert set(analysis.present) | set(analysis.missing) == own


def test_other_asks_for_nothing() -> None:
    analysis = analyze(_ticket("Laptop replacement", "battery is swollen"))
    assert analysis.category == "other" and analysis.missing == () and analysis.is_complete


def test_language_follows_hangul() -> None:
    assert analyze(_ticket("RDS 생성")).language == "ko"
    assert analyze(_ticket("RDS request", "MySQL")).language == "en"


class _Recorder:
    def __init__(self, answers: Mapping[str, FieldVerdict]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str, list[str]]] = []

    def __call__(
        self, text: str, category: Category, fields: Sequence[RequiredField]
    ) -> Mapping[str, FieldVerdict]:
        self.calls.append((text, category.id, [f.id for f in fields]))
        return self.answers


def test_the_resolver_is_asked_only_about_unsure_fields_with_redacted_text() -> None:
    resolver = _Recorder(
        {"cloud": FieldVerdict(False), "db_engine": FieldVerdict(False), "x": FieldVerdict(True)}
    )
    ticket = _ticket(
        "DB 생성 요청", "클러스터는 기존 거로, 환경: stg, MySQL 8.0. 문의: a.b@acme.io"
    )
    analysis = analyze(ticket, resolver=resolver)
    ((text, category, fields),) = resolver.calls
    assert (category, fields) == ("rds", ["cloud"])
    assert "a.b@acme.io" not in text and "[REDACTED_EMAIL]" in text
    assert analysis.missing == ("cloud",) and analysis.resolved_by == "resolver"
    assert "db_engine" in analysis.present and "x" not in analysis.present


def test_no_resolver_call_when_the_rules_are_sure() -> None:
    resolver = _Recorder({})
    analyze(_ticket("RDS 생성", "AWS / stg / MySQL 8.0"), resolver=resolver)
    assert resolver.calls == []


def test_without_a_resolver_unsure_takes_the_documented_default() -> None:
    ticket = _ticket("DB 생성 요청", "클러스터는 기존 거로, 환경: stg, MySQL 8.0")
    assert "cloud" in analyze(ticket).present
    assert analyze(ticket, unsure_default="missing").missing == ("cloud",)


def test_the_hash_depends_on_the_verdicts_not_on_wording_or_time() -> None:
    first = analyze(_ticket("DB 생성", "환경: stg, MySQL 8.0"))
    reworded = analyze(replace(_ticket("DB 생성 부탁", "stg 에 MySQL 8.0 으로요"), key="OPS-2"))
    completed = analyze(_ticket("DB 생성", "AWS, 환경: stg, MySQL 8.0"))
    assert first.missing == reworded.missing == ("cloud",)
    assert first.analysis_hash == reworded.analysis_hash
    assert completed.analysis_hash != first.analysis_hash
    assert len(first.analysis_hash) == 64
