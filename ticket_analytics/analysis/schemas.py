"""What the map and reduce models must answer, as pydantic models in OpenAI's strict shape:
every field required, nothing extra, no defaults. The offline handlers answer with the same
models, so the offline path proves the schemas too.

Category and field ids come from the catalog (a user-editable YAML file), so their enums are
built from it when this module loads; a field id outside the answer's own category is dropped
by validation (the original system's lesson: never ask one category's questions of another).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ticket_analytics.catalog import default_catalog

_CATALOG = default_catalog()
CategoryId = StrEnum(  # type: ignore[misc]
    "CategoryId", [(c.id, c.id) for c in _CATALOG.categories]
)
FieldId = StrEnum(  # type: ignore[misc]
    "FieldId",
    [(f, f) for f in sorted({f.id for c in _CATALOG.categories for f in c.required_fields})],
)
FIELDS_BY_CATEGORY: dict[str, frozenset[str]] = {
    c.id: frozenset(f.id for f in c.required_fields) for c in _CATALOG.categories
}
KEY_PATTERN = re.compile(r"\b[A-Z][A-Z0-9_]+-[0-9]+\b")
_SHORT = 200  # characters kept of a one-line answer; a longer one is cut, not refused
_LONG = 1200


def _one_line(value: str, limit: int) -> str:
    return " ".join(value.split())[:limit]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TicketInsightAnswer(_Strict):
    key: str = Field(description="The ticket key exactly as given, e.g. OPS-123.")
    category: CategoryId = Field(description="One catalog category id.")
    sub_theme: str = Field(description="A short theme within the category, 2-5 words, English.")
    is_toil: bool = Field(description="Manual, repetitive request work that could be automated.")
    toil_reason: str = Field(description="Why it is or is not toil, one short sentence.")
    automation_idea: str = Field(description="How to automate or self-serve it; '' if none.")
    missing_information: list[FieldId] = Field(
        description="Required field ids OF THIS TICKET'S CATEGORY that the ticket does not give."
    )
    summary: str = Field(description="What the ticket asks, one line, English.")

    @field_validator("sub_theme", "toil_reason", "automation_idea", "summary")
    @classmethod
    def _trim(cls, value: str) -> str:
        return _one_line(value, _SHORT)

    @model_validator(mode="before")
    @classmethod
    def _own_fields_only(cls, data: Any) -> Any:
        # Drop, don't reject: one stray field id is not worth a repair call for 50 tickets.
        if isinstance(data, dict) and isinstance(data.get("missing_information"), list):
            category = str(getattr(data.get("category"), "value", data.get("category")))
            allowed = FIELDS_BY_CATEGORY.get(category, frozenset())
            seen: list[str] = []
            for item in data["missing_information"]:
                field_id = str(getattr(item, "value", item))
                if field_id in allowed and field_id not in seen:
                    seen.append(field_id)
            data = {**data, "missing_information": seen}
        return data


class MapAnswer(_Strict):
    tickets: list[TicketInsightAnswer] = Field(description="One entry per ticket, in order.")


class SectionProse(_Strict):
    text: str = Field(description="The section's prose; figures only as {slot} references.")
    cited_keys: list[str] = Field(description="Ticket keys the text relies on, from the facts.")

    @field_validator("text")
    @classmethod
    def _cap(cls, value: str) -> str:
        return value.strip()[:_LONG]


class ToilRecommendation(_Strict):
    index: int = Field(description="The toil item's index in the facts (1-based).")
    recommendation: str = Field(description="What to automate and how; figures only as {slot}.")
    cited_keys: list[str]

    @field_validator("recommendation")
    @classmethod
    def _cap(cls, value: str) -> str:
        return value.strip()[:_LONG]


class ReduceAnswer(_Strict):
    executive_summary: SectionProse
    toil: SectionProse
    toil_recommendations: list[ToilRecommendation]
    incidents: SectionProse
    documentation_gaps: SectionProse
    changes: SectionProse
