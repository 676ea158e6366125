"""The fixed text of every publisher in English and Korean, and the helpers they share.

Numbers shown anywhere come from the report's SQL figures: prose reaches the page only
through ``fill_slots``, which replaces ``{slot}`` with the formatted figure and leaves any
other braces as they were (the renderers escape the result like all other text).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ticket_analytics.analysis.report import MonthlyReport

LANGUAGES = ("en", "ko")
ISSUE_KEY = re.compile(r"[A-Z][A-Z0-9_]{0,30}-[1-9][0-9]{0,9}")
_SLOT = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "at_a_glance": "This month at a glance",
        "written_by": "Written by",
        "figures_from_sql": "Every number on this page comes from SQL over the month's tickets; "
        "the models wrote only the prose.",
        "dropped_keys": "Ticket keys cited by the model but not found this month (dropped)",
        "executive_summary": "Executive summary",
        "categories": "Where the work went",
        "toil": "Top toil to automate",
        "incidents": "Incident trends",
        "documentation_gaps": "Documentation gaps",
        "changes": "Changes since last month",
        "about": "About this report",
        "category": "Category",
        "tickets": "Tickets",
        "delivered": "Delivered",
        "p50_lead_time": "Median lead time (h)",
        "request": "Request",
        "hours_saved": "Hours saved / month if automated (recent months' average)",
        "basis": "Basis",
        "recommendation": "Recommendation",
        "examples": "Examples",
        "service": "Service",
        "incident_count": "Incidents",
        "repeats": "Repeats within 30 days",
        "median_resolve": "Median hours to resolve",
        "field": "Missing information",
        "missing_tickets": "Tickets missing it",
        "missing_share": "Share of the category",
        "metric": "Metric",
        "previous": "Last month",
        "current": "This month",
        "delta": "Change",
        "basis_worklog": "logged work",
        "basis_working_hours": "working hours (estimate)",
        "basis_note": "Hours saved are based on logged work where tickets have worklogs, "
        "otherwise on working hours between start and resolution (an upper estimate).",
        "no_data": "Nothing to report this month.",
        "open_page": "Open the report",
        "key_numbers": "Key numbers",
        "top_toil": "Top toil",
        "updated_header": "Updated",
        "updated_text": "The {month} report has been updated.",
        "toil_line": "{tickets} tickets · ~{hours} h/month to save",
        "preview_note": "Offline preview of the Confluence page.",
    },
    "ko": {
        "at_a_glance": "이번 달 한눈에 보기",
        "written_by": "작성 모델",
        "figures_from_sql": "이 페이지의 모든 수치는 이번 달 티켓에 대한 SQL 집계에서 나왔으며, "
        "모델은 문장만 작성했습니다.",
        "dropped_keys": "모델이 인용했지만 이번 달에 없는 티켓 키 (제외됨)",
        "executive_summary": "요약",
        "categories": "업무 분포",
        "toil": "자동화 우선순위 (반복 업무)",
        "incidents": "장애 추이",
        "documentation_gaps": "문서화 공백",
        "changes": "지난달 대비 변화",
        "about": "보고서 정보",
        "category": "카테고리",
        "tickets": "티켓 수",
        "delivered": "완료",
        "p50_lead_time": "리드타임 중앙값 (시간)",
        "request": "요청 유형",
        "hours_saved": "자동화 시 월 절감 시간 (최근 월평균)",
        "basis": "산정 기준",
        "recommendation": "자동화 제안",
        "examples": "예시",
        "service": "서비스",
        "incident_count": "장애 수",
        "repeats": "30일 내 재발",
        "median_resolve": "해결 시간 중앙값 (시간)",
        "field": "누락된 정보",
        "missing_tickets": "누락 티켓 수",
        "missing_share": "카테고리 내 비율",
        "metric": "지표",
        "previous": "지난달",
        "current": "이번 달",
        "delta": "변화",
        "basis_worklog": "작업 로그 기준",
        "basis_working_hours": "근무 시간 기준 (추정)",
        "basis_note": "절감 시간은 작업 로그가 있는 티켓은 기록된 작업 시간으로, 없으면 시작부터 "
        "해결까지의 근무 시간으로 산정했습니다 (상한 추정치).",
        "no_data": "이번 달에는 보고할 내용이 없습니다.",
        "open_page": "보고서 열기",
        "key_numbers": "주요 수치",
        "top_toil": "반복 업무 상위 항목",
        "updated_header": "업데이트",
        "updated_text": "{month} 보고서가 업데이트되었습니다.",
        "toil_line": "티켓 {tickets}건 · 월 약 {hours}시간 절감 가능",
        "preview_note": "Confluence 페이지의 오프라인 미리보기입니다.",
    },
}


def texts(language: str) -> Mapping[str, str]:
    try:
        return _TEXTS[language]
    except KeyError:
        raise ValueError(f"report language must be one of {LANGUAGES}, got {language!r}") from None


def fill_slots(template: str, slots: Mapping[str, str]) -> str:
    """Replace ``{slot}`` with its figure; an unknown slot stays visible as written."""
    return _SLOT.sub(lambda m: slots.get(m.group(1), m.group(0)), template)


def prose(report: MonthlyReport, section: str) -> str:
    return fill_slots(report.prose.get(section, ""), report.slots).strip()


def number(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.{digits}f}"
    return f"{int(value):,}"


def percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def delta(previous: float | None, current: float | None) -> str:
    if previous is None or current is None:
        return "n/a"
    change = current - previous
    sign = "+" if change > 0 else ""
    text = f"{sign}{number(change)}"
    if previous:
        text += f" ({sign}{change / abs(previous) * 100:.0f}%)"
    return text


def with_unit(value: float | int | None, unit: str) -> str:
    text = number(value)
    if value is None or not unit:
        return text
    return f"{text}{unit}" if unit in ("%", "h") else f"{text} {unit}"


def category_label(report: MonthlyReport, category: str) -> str:
    for row in report.categories:
        if row.category == category:
            return row.label
    return category


def basis_label(language: str, basis: str) -> str:
    return texts(language).get(f"basis_{basis}", basis)


def issue_url(jira_base_url: str | None, key: str) -> str | None:
    """The browse URL of a well-formed key, or None (then the key is shown as text)."""
    if not jira_base_url or not ISSUE_KEY.fullmatch(key):
        return None
    if not jira_base_url.startswith(("https://", "http://")):
        return None
    return f"{jira_base_url.rstrip('/')}/browse/{key}"
