"""Deterministic answers for the offline LLM backend: the map classifies with the triage
analyzer (or the catalog's keyword rules when triage is absent), the reduce writes template
prose per section in English or Korean that points at figures only through {slot}s.

They read the very messages a model would get (ticket blocks, the facts JSON) and answer
with the same pydantic models, so an offline run exercises prompts, schemas and grounding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from ticket_analytics.analysis.prompts import facts_of, parse_ticket_blocks
from ticket_analytics.analysis.schemas import (
    MapAnswer,
    ReduceAnswer,
    SectionProse,
    TicketInsightAnswer,
    ToilRecommendation,
)
from ticket_analytics.analysis.tickets import request_template
from ticket_analytics.catalog import Catalog, default_catalog

OfflineHandler = Callable[[Sequence[Mapping[str, str]]], BaseModel]
# Request work with no enduring value: each ticket is done once and forgotten (SRE toil).
TOIL_CATEGORIES = frozenset({"deployment", "access_request", "devops_tools"})
RECURRING = 3  # tickets of a month with one request template before it counts as recurring
AUTOMATION_IDEAS = {
    "k8s_service": "Service scaffolding template (namespace, deployment, ingress) run from a form",
    "rds": "Self-service database module (Terraform) with approved engines and versions",
    "access_request": "Access request form with approval workflow and time-boxed grants via SSO groups",
    "cloud_resource": "Self-service resource catalog (Terraform modules) behind a request form",
    "devops_tools": "Self-service job, project and dashboard creation from templates",
    "incident": "Runbook automation and alert-linked diagnostics for the affected service",
    "deployment": "Self-service deployment through the CD pipeline (ArgoCD sync) with approvals",
    "other": "",
}


def offline_handlers(catalog: Catalog | None = None) -> dict[type[BaseModel], OfflineHandler]:
    """The handlers to give `LlmClient(..., offline_handlers=...)` for the monthly analysis."""
    chosen = catalog or default_catalog()
    return {
        MapAnswer: lambda messages: answer_map(messages, chosen),
        ReduceAnswer: answer_reduce,
    }


def answer_map(messages: Sequence[Mapping[str, str]], catalog: Catalog) -> MapAnswer:
    answers = []
    for block in parse_ticket_blocks(messages):
        text = f"{block['summary']}\n{block['description']}"
        category, missing = _classify(block, catalog)
        similar = int(block["similar"]) if block["similar"].isdigit() else 1
        recurring = similar >= RECURRING
        is_toil = recurring or category in TOIL_CATEGORIES
        reason = (
            f"recurring request template ({similar} this month)"
            if recurring
            else "request work with no enduring value"
            if is_toil
            else "one-off work"
        )
        answers.append(
            TicketInsightAnswer.model_validate(
                {
                    "key": block["key"],
                    "category": category,
                    "sub_theme": _sub_theme(block, catalog, category),
                    "is_toil": is_toil,
                    "toil_reason": reason,
                    "automation_idea": AUTOMATION_IDEAS.get(category, "") if is_toil else "",
                    "missing_information": list(missing),
                    "summary": block["summary"] or text,
                }
            )
        )
    return MapAnswer(tickets=answers)


def _classify(block: Mapping[str, str], catalog: Catalog) -> tuple[str, tuple[str, ...]]:
    try:
        from ticket_analytics.triage import Ticket, analyze
    except ImportError:
        return _catalog_rules(block, catalog)
    ticket = Ticket(
        key=block["key"],
        id=block["key"],
        issue_type=block.get("type", ""),
        components=tuple(c for c in block.get("components", "").split(",") if c and c != "-"),
        labels=tuple(c for c in block.get("labels", "").split(",") if c and c != "-"),
        summary=block["summary"],
        description=block["description"],
        reporter="",
        created=None,
        updated=None,
        flavor="cloud",
    )
    analysis = analyze(ticket, catalog)
    return analysis.category, tuple(analysis.missing)


def _catalog_rules(block: Mapping[str, str], catalog: Catalog) -> tuple[str, tuple[str, ...]]:
    """The SQL models' reading: a field is present when its label or id appears in the text."""
    text = f"{block['summary']}\n{block['description']}"
    category = catalog.get(catalog.classify(text))
    lowered = text.lower()
    missing = tuple(
        f.id
        for f in category.required_fields
        if not any(n in lowered for n in (f.label.ko.lower(), f.label.en.lower(), f.id))
    )
    return category.id, missing


def _sub_theme(block: Mapping[str, str], catalog: Catalog, category: str) -> str:
    words = [w for w in request_template(block["summary"]).split() if not w.startswith("<")]
    if words:
        return " ".join(words[:5])
    components = block.get("components", "-")
    return components if components != "-" else catalog.get(category).name.en


_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "summary": "The team received {created_count} tickets and resolved {delivered_count}; "
        "the median lead time was {median_lead_time_hours} and {sla_breach_rate} of resolved "
        "tickets breached their SLA. {toil_tickets} tickets ({toil_share}) were repetitive "
        "request work. The backlog stood at {backlog_at_month_end} at month end.",
        "toil": "Automating the top request templates below would save about "
        "{toil_hours_total} of handling a month.",
        "toil_item": "{idea} ({tickets_slot} tickets this month); automating it saves about "
        "{hours_slot} a month.",
        "incidents": "There were {incident_count} incidents this month, {incident_repeats} of "
        "them repeats of an incident on the same service within {repeat_window_days}.",
        "incidents_top": " {service} had the most ({count_slot}).",
        "gaps": "Requesters most often left out the following fields.",
        "gap": " {category}: {label} missing in {share_slot} of tickets.",
        "changes": "Tickets created changed by {created_change_pct} against last month "
        "({prev_created_count} then, {created_count} now); median lead time changed by "
        "{median_lead_time_change_pct}.",
        "none": "Nothing to report this month.",
    },
    "ko": {
        "summary": "이번 달 팀은 티켓 {created_count}건을 접수하고 {delivered_count}건을 "
        "처리했습니다. 리드 타임 중앙값은 {median_lead_time_hours}이며, 처리된 티켓의 "
        "{sla_breach_rate}가 SLA를 초과했습니다. 반복 요청 업무는 {toil_tickets}건"
        "({toil_share})이고, 월말 백로그는 {backlog_at_month_end}건입니다.",
        "toil": "아래 반복 요청을 자동화하면 매월 약 {toil_hours_total}의 처리 시간을 줄일 수 "
        "있습니다.",
        "toil_item": "{idea} (이번 달 {tickets_slot}건): 자동화하면 매월 약 {hours_slot}을 "
        "절약합니다.",
        "incidents": "이번 달 장애는 {incident_count}건이며, 그중 {incident_repeats}건은 "
        "{repeat_window_days} 이내 같은 서비스에서 재발했습니다.",
        "incidents_top": " 가장 많은 서비스는 {service}({count_slot}건)입니다.",
        "gaps": "요청자가 가장 자주 빠뜨린 항목은 다음과 같습니다.",
        "gap": " {category}: {label} 누락 {share_slot}.",
        "changes": "지난달 대비 접수 티켓은 {created_change_pct} 변했고(지난달 "
        "{prev_created_count}건, 이번 달 {created_count}건), 리드 타임 중앙값은 "
        "{median_lead_time_change_pct} 변했습니다.",
        "none": "이번 달에는 보고할 내용이 없습니다.",
    },
}


def _slot(name: str) -> str:
    return "{" + name + "}"


def _fill(template: str, **values: str) -> str:
    # Only the named placeholders are replaced; every other {slot} stays for the renderer.
    for name, value in values.items():
        template = template.replace(_slot(name), value)
    return template


def answer_reduce(messages: Sequence[Mapping[str, str]]) -> ReduceAnswer:
    facts = facts_of(messages)
    text = _TEXT["ko" if facts.get("language") == "ko" else "en"]
    slots: Mapping[str, Any] = facts.get("slots", {})
    toil: list[dict[str, Any]] = facts.get("toil", [])
    incidents: list[dict[str, Any]] = facts.get("incidents", [])
    gaps: list[dict[str, Any]] = facts.get("documentation_gaps", [])
    recommendations = [
        ToilRecommendation(
            index=int(item["index"]),
            recommendation=_fill(
                text["toil_item"],
                idea=str(
                    item.get("idea") or AUTOMATION_IDEAS.get(item["category"]) or item["template"]
                ),
                tickets_slot=_slot(item["tickets_slot"]),
                hours_slot=_slot(item["hours_slot"]),
            ),
            cited_keys=list(item.get("example_keys", []))[:3],
        )
        for item in toil
    ]
    incident_text = text["incidents"]
    if incidents:
        top = incidents[0]
        incident_text += _fill(
            text["incidents_top"], service=str(top["service"]), count_slot=_slot(top["count_slot"])
        )
    gap_text = text["gaps"] + "".join(
        _fill(
            text["gap"],
            category=str(g["category_label"]),
            label=str(g["field_label"]),
            share_slot=_slot(g["share_slot"]),
        )
        for g in gaps[:5]
    )
    return ReduceAnswer(
        executive_summary=_section(text["summary"], slots, text["none"]),
        toil=_section(text["toil"] if toil else text["none"], slots, text["none"]),
        toil_recommendations=recommendations,
        incidents=SectionProse(
            text=incident_text if incidents else text["none"],
            cited_keys=[k for item in incidents[:3] for k in item.get("example_keys", [])[:1]],
        ),
        documentation_gaps=_section(gap_text if gaps else text["none"], slots, text["none"]),
        changes=_section(text["changes"], slots, text["none"]),
    )


def _section(template: str, slots: Mapping[str, Any], empty: str) -> SectionProse:
    """The template if every slot it names exists this month, else the 'nothing' sentence."""
    names = re.findall(r"\{([a-z0-9_]+)\}", template)
    if any(name not in slots for name in names):
        return SectionProse(text=empty, cited_keys=[])
    return SectionProse(text=template, cited_keys=[])
