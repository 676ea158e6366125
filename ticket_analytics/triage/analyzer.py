"""The triage analysis of one ticket: its category and, for that category's required fields
only, which are present (with evidence) and which are missing.

Rules decide first (`extract`). A `FieldResolver` (an LLM behind the caller's backend) is asked
only about the fields the rules are unsure of, and sees redacted text. Without a resolver an
unsure field counts as present (`UNSURE_DEFAULT`): the rules mark a field unsure only when the
ticket talks about it without a value they can read ("클러스터는 기존 거", a link that is not
obviously a repository), so the requester most likely answered it; a wrong "missing" makes the
bot ask for something already written, the failure that teaches people to ignore it, while a
wrong "present" costs what happens today, the assignee asking.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from ticket_analytics.catalog import Catalog, Category, RequiredField, default_catalog
from ticket_analytics.triage.classify import classify_ticket
from ticket_analytics.triage.extract import extract
from ticket_analytics.triage.redact import redact
from ticket_analytics.triage.tickets import Ticket

Language = Literal["ko", "en"]
UNSURE_DEFAULT: Literal["present", "missing"] = "present"
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_EVIDENCE_CHARS = 200


@dataclass(frozen=True)
class FieldVerdict:
    """A resolver's answer for one field."""

    present: bool
    evidence: str = ""


class FieldResolver(Protocol):
    """Settles the fields the rules are unsure of, e.g. with an LLM.

    Gets the redacted summary + description, the category and the unsure fields; returns a
    verdict per field id. Ids it was not asked about are ignored; ids it leaves out fall back
    to `UNSURE_DEFAULT`. Exceptions propagate: the caller leaves the ticket unlabelled and
    retries at the next poll rather than posting a guess.
    """

    def __call__(
        self, text: str, category: Category, fields: Sequence[RequiredField]
    ) -> Mapping[str, FieldVerdict]: ...


@dataclass(frozen=True)
class Analysis:
    key: str
    category: str
    present: Mapping[str, str]  # field id -> evidence text (empty when a default decided)
    missing: tuple[str, ...]  # in the catalog's field order
    unsure: tuple[str, ...]  # fields the rules could not settle
    resolved_by: Literal["rules", "resolver", "default"]
    language: Language
    analysis_hash: str

    @property
    def is_complete(self) -> bool:
        return not self.missing


def analyze(
    ticket: Ticket,
    catalog: Catalog | None = None,
    resolver: FieldResolver | None = None,
    unsure_default: Literal["present", "missing"] = UNSURE_DEFAULT,
) -> Analysis:
    catalog = catalog or default_catalog()
    category = catalog.get(classify_ticket(ticket, catalog))
    fields = category.required_fields
    verdicts = extract(ticket.text, [f.id for f in fields])
    present = {f: v.evidence for f, v in verdicts.items() if v.status == "present"}
    missing = {f for f, v in verdicts.items() if v.status == "missing"}
    unsure = [f for f in fields if verdicts[f.id].status == "unsure"]
    resolved_by: Literal["rules", "resolver", "default"] = "rules"
    answers: Mapping[str, FieldVerdict] = {}
    if unsure and resolver is not None:
        answers = resolver(redact(ticket.text), category, unsure)
        resolved_by = "resolver"
    elif unsure:
        resolved_by = "default"
    for field in unsure:
        answer = answers.get(field.id)
        if answer is None:
            is_present = unsure_default == "present"
            evidence = verdicts[field.id].evidence
        else:
            is_present, evidence = answer.present, str(answer.evidence)[:_EVIDENCE_CHARS]
        if is_present:
            present[field.id] = evidence
        else:
            missing.add(field.id)
    ordered_missing = tuple(f.id for f in fields if f.id in missing)
    return Analysis(
        key=ticket.key,
        category=category.id,
        present={f.id: present[f.id] for f in fields if f.id in present},
        missing=ordered_missing,
        unsure=tuple(f.id for f in unsure),
        resolved_by=resolved_by,
        language=language_of(ticket),
        analysis_hash=analysis_hash(category, ordered_missing, present),
    )


def language_of(ticket: Ticket) -> Language:
    return "ko" if _HANGUL.search(ticket.summary) or _HANGUL.search(ticket.description) else "en"


def analysis_hash(category: Category, missing: Sequence[str], present: Mapping[str, str]) -> str:
    """sha256 of what the bot would say: the category, the missing and present field ids, and
    the category's catalog entry (its wording is the comment). Evidence and timestamps stay
    out, so rewording a ticket without changing what it answers keeps the hash. Only this
    category's entry counts: editing another category must not re-open settled tickets."""
    entry = {
        "id": category.id,
        "fields": [
            [f.id, f.label.ko, f.label.en, f.description.ko, f.description.en, f.example]
            for f in category.required_fields
        ],
    }
    document = {
        "category": category.id,
        "missing": sorted(missing),
        "present": sorted(present),
        "catalog": entry,
    }
    encoded = json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()
