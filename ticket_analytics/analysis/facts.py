"""Everything the monthly report states as a number, read from the marts and the map's
aggregates with the SQL in sql/analysis/ (never from tickets), and the facts the reduce
model is shown: each figure as a named {slot} with its formatted value, never a bare number
the model could copy or misquote into prose it writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from ticket_analytics.analysis.report import (
    CategoryRow,
    Change,
    DocumentationGap,
    Figure,
    IncidentTrend,
    ToilItem,
    format_figure,
)
from ticket_analytics.analysis.tickets import check_month, previous_month, sql
from ticket_analytics.catalog import Catalog, default_catalog

TOP_TOIL = 5
TOP_INCIDENTS = 5
TOP_GAPS = 8
REPEAT_WINDOW_DAYS = 30  # fct_incident_trends' definition of a repeat

_LABELS: dict[str, tuple[str, str]] = {
    "created_count": ("Tickets created", "접수 티켓"),
    "delivered_count": ("Tickets delivered", "처리 티켓"),
    "backlog_at_month_end": ("Backlog at month end", "월말 백로그"),
    "backlog_older_than_30d": ("Backlog older than 30 days", "30일 넘은 백로그"),
    "median_lead_time_hours": ("Median lead time", "리드 타임 중앙값"),
    "p85_lead_time_hours": ("85th percentile lead time", "리드 타임 85백분위"),
    "median_first_response_hours": ("Median first response", "첫 응답 시간 중앙값"),
    "reopen_rate": ("Reopen rate", "재오픈 비율"),
    "sla_breach_rate": ("SLA breach rate", "SLA 초과 비율"),
    "created_change_pct": ("Created vs last month", "접수 전월 대비"),
    "delivered_change_pct": ("Delivered vs last month", "처리 전월 대비"),
    "median_lead_time_change_pct": ("Median lead time vs last month", "리드 타임 전월 대비"),
    "prev_created_count": ("Tickets created last month", "지난달 접수 티켓"),
    "prev_delivered_count": ("Tickets delivered last month", "지난달 처리 티켓"),
    "prev_median_lead_time_hours": ("Median lead time last month", "지난달 리드 타임 중앙값"),
    "prev_backlog_at_month_end": ("Backlog last month end", "지난달 월말 백로그"),
    "analysed_count": ("Tickets analysed", "분석한 티켓"),
    "toil_tickets": ("Toil tickets", "반복 업무 티켓"),
    "toil_share": ("Toil share", "반복 업무 비율"),
    "toil_hours_total": (
        "Hours automating the top toil would save a month",
        "상위 반복 업무 자동화 시 월 절감 시간",
    ),
    "incident_count": ("Incidents", "장애"),
    "incident_repeats": ("Repeat incidents", "재발 장애"),
    "repeat_window_days": ("Repeat window", "재발 기준 기간"),
}
_HOURS = {"median_lead_time_hours", "p85_lead_time_hours", "median_first_response_hours"}
_RATES = {"reopen_rate", "sla_breach_rate", "created_change_pct", "delivered_change_pct"}
_RATES |= {"median_lead_time_change_pct"}
_CHANGES = (
    "created_count",
    "delivered_count",
    "median_lead_time_hours",
    "backlog_at_month_end",
    "sla_breach_rate",
)


@dataclass(frozen=True)
class MonthFacts:
    figures: tuple[Figure, ...]
    categories: tuple[CategoryRow, ...]
    toil: tuple[ToilItem, ...]
    incidents: tuple[IncidentTrend, ...]
    documentation_gaps: tuple[DocumentationGap, ...]
    changes: tuple[Change, ...]
    month_keys: frozenset[str]
    prompt_facts: dict[str, Any]


def _rows(
    conn: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]
) -> list[dict[str, Any]]:
    cursor = conn.execute(sql(name), params)
    columns = [d[0] for d in cursor.description or ()]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _number(value: Any, unit: str) -> float | int | None:
    if value is None:
        return None
    if unit == "%":
        return round(float(value) * 100, 1)
    if unit == "h":
        return round(float(value), 1)
    return int(value) if float(value).is_integer() else round(float(value), 1)


def _unit(key: str) -> str:
    return "h" if key in _HOURS else "%" if key in _RATES else ""


def read_month_facts(
    conn: duckdb.DuckDBPyConnection, month: str, language: str, catalog: Catalog | None = None
) -> MonthFacts:
    catalog = catalog or default_catalog()
    ko = language == "ko"
    check_month(month)
    before = previous_month(month)
    figures: dict[str, Figure] = {}

    def add(key: str, value: Any, label: str | None = None, unit: str | None = None) -> str:
        unit = _unit(key) if unit is None else unit
        en_ko = _LABELS.get(key, (key, key))
        figures[key] = Figure(key, label or en_ko[ko], _number(value, unit), unit)
        return key

    ops = _rows(conn, "report_monthly_ops", {"month": month, "previous_month": before})
    current = {r["category"]: r for r in ops if r["month"] == month}
    previous = {r["category"]: r for r in ops if r["month"] == before}
    overall, last = current.get("all", {}), previous.get("all", {})
    # in the labels' order, never a set's: the page and the Slack message must not reorder
    # from one process to the next
    for key in _LABELS:
        if key in overall:
            add(key, overall[key])
    for key in (
        "created_count",
        "delivered_count",
        "median_lead_time_hours",
        "backlog_at_month_end",
    ):
        add(f"prev_{key}", last.get(key), unit=_unit(key))

    names = {c.id: (c.name.ko if ko else c.name.en) for c in catalog.categories}
    aggregates = _rows(conn, "insight_aggregates", {"month": month})
    analysed = sum(a["analysed_count"] for a in aggregates)
    toil_tickets = sum(a["toil_count"] for a in aggregates)
    add("analysed_count", analysed)
    add("toil_tickets", toil_tickets)
    add("toil_share", toil_tickets / analysed if analysed else None, unit="%")
    by_category = {a["category"]: a for a in aggregates}
    categories, category_facts = [], []
    for category_id, row in sorted(
        current.items(), key=lambda kv: (-kv[1]["created_count"], kv[0])
    ):
        if category_id == "all" or not row["created_count"]:
            continue
        label = names.get(category_id, category_id)
        categories.append(
            CategoryRow(
                category_id,
                label,
                int(row["created_count"]),
                int(row["delivered_count"] or 0),
                _number(row["median_lead_time_hours"], "h"),
            )
        )
        themes = by_category.get(category_id, {}).get("top_sub_themes", [])
        category_facts.append(
            {
                "category": category_id,
                "label": label,
                "tickets_slot": add(f"cat_{category_id}_tickets", row["created_count"], label),
                "top_sub_themes": list(themes),
            }
        )

    toil, toil_facts = [], []
    toil_rows = _rows(
        conn,
        "report_toil",
        {"month": month, "limit": TOP_TOIL},
    )
    for index, row in enumerate(toil_rows, start=1):
        toil.append(
            ToilItem(
                request_template=row["request_template"],
                category=row["category"],
                tickets_in_month=int(row["tickets_in_month"]),
                hours_saved_per_month=_number(row["automation_hours_saved_per_month"], "h") or 0.0,
                hours_basis=str(row["hours_basis"]),
                recommendation="",
                example_keys=tuple(row["example_keys"]),
            )
        )
        toil_facts.append(
            {
                "index": index,
                "template": row["request_template"],
                "category": row["category"],
                "component": row["component"],
                "tickets_slot": add(
                    f"toil_{index}_tickets", row["tickets_in_month"], row["request_template"]
                ),
                "hours_slot": add(
                    f"toil_{index}_hours",
                    row["automation_hours_saved_per_month"],
                    row["request_template"],
                    "h",
                ),
                "idea": (row["automation_ideas"] or [""])[0],
                "automation_ideas": list(row["automation_ideas"]),
                "example_keys": list(row["example_keys"]),
            }
        )
    add("toil_hours_total", sum(t.hours_saved_per_month for t in toil), unit="h")

    incidents, incident_facts = [], []
    incident_rows = _rows(conn, "report_incidents", {"month": month, "limit": TOP_INCIDENTS})
    for index, row in enumerate(incident_rows, start=1):
        incidents.append(
            IncidentTrend(
                service=row["service_name"],
                incidents=int(row["incident_count"]),
                repeats_within_30_days=int(row["repeat_count"]),
                median_hours_to_resolve=_number(row["median_time_to_resolve_hours"], "h"),
                example_keys=tuple(row["example_issue_keys"]),
            )
        )
        service = row["service_name"]
        incident_facts.append(
            {
                "service": service,
                "count_slot": add(f"incident_{index}_count", row["incident_count"], service),
                "repeats_slot": add(f"incident_{index}_repeats", row["repeat_count"], service),
                "hours_slot": add(
                    f"incident_{index}_hours", row["median_time_to_resolve_hours"], service, "h"
                ),
                "example_keys": list(row["example_issue_keys"]),
            }
        )
    totals = _rows(conn, "incident_totals", {"month": month})[0]
    add("incident_count", totals["incident_count"])
    add("incident_repeats", totals["repeat_count"])
    add("repeat_window_days", REPEAT_WINDOW_DAYS, unit="days" if not ko else "일")

    gaps, gap_facts = [], []
    gap_rows = _rows(conn, "report_documentation_gaps", {"month": month, "limit": TOP_GAPS})
    for index, row in enumerate(gap_rows, start=1):
        category = catalog.get(row["category"]) if row["category"] in names else None
        field = (
            next((f for f in category.required_fields if f.id == row["field_id"]), None)
            if category
            else None
        )
        field_label = (field.label.ko if ko else field.label.en) if field else row["field_id"]
        gaps.append(
            DocumentationGap(
                row["category"],
                row["field_id"],
                field_label,
                int(row["tickets_missing"]),
                float(row["missing_share"]),
            )
        )
        gap_facts.append(
            {
                "category": row["category"],
                "category_label": names.get(row["category"], row["category"]),
                "field_id": row["field_id"],
                "field_label": field_label,
                "tickets_slot": add(f"gap_{index}_tickets", row["tickets_missing"], field_label),
                "share_slot": add(f"gap_{index}_share", row["missing_share"], field_label, "%"),
            }
        )

    changes = tuple(
        Change(
            key,
            _LABELS[key][ko],
            _number(last.get(key), _unit(key)),
            _number(overall.get(key), _unit(key)),
            _unit(key),
        )
        for key in _CHANGES
    )
    keys = frozenset(r[0] for r in conn.execute(sql("month_keys"), {"month": month}).fetchall())
    slots = {f.key: format_figure(f) for f in figures.values()}
    prompt_facts = {
        "month": month,
        "language": language,
        "slots": slots,
        "categories": category_facts,
        "toil": toil_facts,
        "incidents": incident_facts,
        "documentation_gaps": gap_facts,
    }
    return MonthFacts(
        tuple(figures.values()),
        tuple(categories),
        tuple(toil),
        tuple(incidents),
        tuple(gaps),
        changes,
        keys,
        prompt_facts,
    )
