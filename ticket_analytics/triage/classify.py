"""Category of a ticket: the catalog's hints, weighed by where they appear.

The SQL rule (`Catalog.classify`, mirrored in `fct_tickets.sql`) takes the first category in
catalog order with any hint anywhere, which misfiles "Grafana 조회 권한" (a tool is named, the
request is access) and "vpn not working" (the catalog's vpn hint is access). Triage scores
instead: the summary says what is asked, the description mostly context; issue type,
components and labels are the requester's own filing. The extra words below are phrasings the
catalog hints miss; they live here, not in the catalog, because the SQL rule and the sample
generator are tuned to the catalog's first-match reading and would drift if it grew.
"""

from __future__ import annotations

import re
from functools import cache

from ticket_analytics.catalog import FALLBACK_CATEGORY, Catalog, hint_needle, searchable_text
from ticket_analytics.triage.tickets import Ticket

_SUMMARY, _DESCRIPTION, _FILED, _INTENT = 3.0, 1.0, 3.0, 3.0
_DESCRIPTION_CAP = 4.0  # a long description must not outvote the summary by sheer length

# fmt: off
_EXTRA_HINTS: dict[str, tuple[str, ...]] = {
    "incident": ("안돼", "안되", "안 돼", "안 되", "안됨", "느려", "지연", "타임아웃", "down", "slow", "lag",
        "not working", "broken", "502", "503", "504", "500 error", "pagerduty", "firing",
        "high cpu", "oom", "outofmemoryerror", "timeout", "timeouts", "5xx", "crashloop",
        "failing", "degraded", "wrong", "blank page", "문제가", "이상해", "안 열려", "접속이 안"),
    "k8s_service": ("eks", "gke", "aks", "k8s svc", "onboard", "replicas", "레플리카", "파드",
        "deployment yaml", "서비스 신규", "신규 생성", "workload", "microservice", "msa", "spin up",
        "container", "컨테이너", "배포 환경"),
    "rds": ("mongodb", "mongo", "documentdb", "디비", "마리아", "포스트그레"),
    "access_request": ("add me", "read only", "readonly", "viewer", "접속 권한", "조회 권한",
        "write permission", "admin 권한", "관리자 권한"),
    "deployment": ("ship", "push", "go live", "배포해", "올려주", "tag", "image tag", "promote", "반영",
        "롤아웃", "upgrade", "redeploy", "deployed"),
    "devops_tools": ("소나큐브", "아르고", "quality gate", "dashboard", "대시보드", "ci cd", "cicd",
        "build job", "빌드 잡", "잡 생성", "registry", "vault"),
    "cloud_resource": ("storage", "스토리지", "카프카", "pub sub", "blob", "efs", "cdn", "memcached",
        "topic"),
    FALLBACK_CATEGORY: ("교육", "training", "문의", "질문", "question", "laptop", "노트북", "thanks",
        "meeting", "회의", "postmortem"),
}
# fmt: on
# Asking for access names the system it is for, whose words belong to other categories.
_ACCESS_INTENT = re.compile(r"권한|접근|(?<![a-z])(?:access|permissions?)(?![a-z])", re.IGNORECASE)
# Something observed as broken in the summary: "slow since deploy" reports, it does not ask.
_INCIDENT_INTENT = re.compile(
    r"(?<![a-z])(?:slow|down|not working|broken|errors?|fail\w*|crash\w*|lag|5\d\d)(?![a-z])"
    r"|안 ?돼|안 ?되|지연|느려|장애|에러|오류|먹통",
    re.IGNORECASE,
)
_INCIDENT_TYPES = re.compile(r"incident|outage|장애|problem", re.IGNORECASE)
_BUG_TYPES = re.compile(r"bug|버그|defect", re.IGNORECASE)


def category_scores(ticket: Ticket, catalog: Catalog) -> dict[str, float]:
    summary = searchable_text(ticket.summary)
    description = searchable_text(ticket.description)
    filed = searchable_text(" ".join((*ticket.components, *ticket.labels)))
    scores: dict[str, float] = {}
    for category in catalog.categories:
        needles = _needles(category.hints + _EXTRA_HINTS.get(category.id, ()))
        score = _SUMMARY * _hits(needles, summary) + _FILED * _hits(needles, filed)
        score += min(_DESCRIPTION_CAP, _DESCRIPTION * _hits(needles, description))
        scores[category.id] = score
    if _INCIDENT_TYPES.search(ticket.issue_type):
        _add(scores, "incident", 4.0)
    elif _BUG_TYPES.search(ticket.issue_type):
        _add(scores, "incident", 2.0)
    if _INCIDENT_INTENT.search(ticket.summary):
        _add(scores, "incident", 2.0)
    if _ACCESS_INTENT.search(ticket.summary):
        _add(scores, "access_request", _INTENT)
    return scores


def classify_ticket(ticket: Ticket, catalog: Catalog) -> str:
    """The best-scoring category; ties go to the earlier category in catalog order, which
    also makes `other` lose every tie, and no signal at all means `other`."""
    scores = category_scores(ticket, catalog)
    best = max(scores.values(), default=0.0)
    if best <= 0:
        return FALLBACK_CATEGORY
    return next(c for c in catalog.ids if scores.get(c, 0.0) == best)


def _add(scores: dict[str, float], category_id: str, points: float) -> None:
    if category_id in scores:
        scores[category_id] += points


@cache
def _needles(hints: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for h in hints if (n := hint_needle(h)).strip()))


def _hits(needles: tuple[str, ...], text: str) -> int:
    return sum(1 for needle in needles if needle in text)
