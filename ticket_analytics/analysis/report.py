"""The monthly report as data: what the reduce produces and every publisher renders.

Figures come from SQL (the marts); prose comes from the reduce model (or the offline
templates) and may only point at figures through ``{slot}`` placeholders that the renderers
fill from ``MonthlyReport.slots``. So a publisher never shows a number an LLM typed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

SECTIONS = ("executive_summary", "toil", "incidents", "documentation_gaps", "changes")
# What a reader sees first, in this order; every other figure is a slot for the prose and the
# sections (per template, incident, field), which the page shows where they belong.
HEADLINE = (
    "created_count",
    "delivered_count",
    "median_lead_time_hours",
    "p85_lead_time_hours",
    "median_first_response_hours",
    "sla_breach_rate",
    "reopen_rate",
    "backlog_at_month_end",
    "backlog_older_than_30d",
    "toil_share",
    "toil_hours_total",
)


@dataclass(frozen=True)
class Figure:
    """A headline number: `value` is already computed by SQL; `unit` is e.g. 'h', '%', ''."""

    key: str
    label: str
    value: float | int | None
    unit: str = ""


@dataclass(frozen=True)
class ToilItem:
    request_template: str
    category: str
    tickets_in_month: int
    hours_saved_per_month: float
    hours_basis: str  # 'worklog' or 'working_hours'
    recommendation: str  # the model's automation idea (text; figures only through slots)
    example_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class IncidentTrend:
    service: str
    incidents: int
    repeats_within_30_days: int
    median_hours_to_resolve: float | None
    example_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentationGap:
    category: str
    field_id: str
    field_label: str
    tickets: int
    missing_share: float  # 0..1 of the category's tickets that month


@dataclass(frozen=True)
class Change:
    metric: str
    label: str
    previous: float | None
    current: float | None
    unit: str = ""


@dataclass(frozen=True)
class CategoryRow:
    category: str
    label: str
    tickets: int
    delivered: int
    p50_lead_time_hours: float | None


@dataclass(frozen=True)
class MonthlyReport:
    month: str  # YYYY-MM
    language: str  # 'en' or 'ko'
    title: str  # e.g. 'Ops Monthly Report 2025-10'
    figures: tuple[Figure, ...]
    categories: tuple[CategoryRow, ...]
    toil: tuple[ToilItem, ...]
    incidents: tuple[IncidentTrend, ...]
    documentation_gaps: tuple[DocumentationGap, ...]
    changes: tuple[Change, ...]
    # Prose per section (keys of SECTIONS), written by the reduce; may hold {slot} references.
    prose: dict[str, str] = field(default_factory=dict)
    # Which model (backend/model) wrote each section's prose, shown on the page.
    authors: dict[str, str] = field(default_factory=dict)
    # Ticket keys the model cited that do not exist in the month: dropped, counted here.
    dropped_keys: tuple[str, ...] = ()
    page_url: str | None = None

    @property
    def headline(self) -> tuple[Figure, ...]:
        by_key = {figure.key: figure for figure in self.figures}
        return tuple(by_key[key] for key in HEADLINE if key in by_key)

    @property
    def slots(self) -> dict[str, str]:
        """Formatted figures the prose may reference as {key}."""
        return {figure.key: format_figure(figure) for figure in self.figures}


def format_figure(figure: Figure) -> str:
    value = figure.value
    if value is None:
        return "n/a"
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.1f}"
    else:
        text = f"{int(value):,}"
    return f"{text}{figure.unit}" if figure.unit in ("%", "h") else f"{text} {figure.unit}".strip()


_PARTS: dict[str, type] = {
    "figures": Figure,
    "categories": CategoryRow,
    "toil": ToilItem,
    "incidents": IncidentTrend,
    "documentation_gaps": DocumentationGap,
    "changes": Change,
}


def report_to_json(report: MonthlyReport) -> bytes:
    """The report as JSON: what the reduce hands to the publishers, kept beside the page."""
    return orjson.dumps(asdict(report), option=orjson.OPT_INDENT_2)


def report_from_json(data: bytes | str) -> MonthlyReport:
    document: dict[str, Any] = orjson.loads(data)
    for name, part in _PARTS.items():
        document[name] = tuple(
            part(**{k: tuple(v) if isinstance(v, list) else v for k, v in row.items()})
            for row in document[name]
        )
    document["dropped_keys"] = tuple(document["dropped_keys"])
    return MonthlyReport(**document)
