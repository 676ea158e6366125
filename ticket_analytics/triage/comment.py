"""The bot's comment to the requester: fixed template + the catalog's wording, nothing else.

Ticket text never reaches the comment (not even the reporter's name): whatever a ticket says,
the comment can only say what this module and the catalog say, so a ticket cannot make the bot
write anything. The analysis supplies only ids (category, missing fields) and the hash.

The marker is a last line `ta-triage:<analysis hash>`, in grey (`textColor` in ADF, `{color}`
in wiki markup): visible if one looks, out of the way otherwise, and it survives every way
Jira hands a comment back (ADF, wiki source, rendered HTML, plain text), which an issue
property or an HTML comment would not. `find_marker` reads it from any of those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from ticket_analytics.catalog import Catalog, RequiredField, default_catalog
from ticket_analytics.jira.adf import adf_to_text
from ticket_analytics.triage.analyzer import Analysis, Language

MARKER_PREFIX = "ta-triage:"
_MARKER = re.compile(re.escape(MARKER_PREFIX) + r"\s*([0-9a-f]{16,64})\b")
_MARKER_COLOR = "#97a0af"
_WIKI_SPECIAL = re.compile(r"([{}\[\]|*_+^~\\-])")

_TEMPLATES: dict[Language, dict[str, str]] = {
    "ko": {
        "greeting": "안녕하세요, DevOps 팀 티켓 도우미입니다. (자동 메시지)",
        "intro": "요청 유형이 '{category}'(으)로 확인되었습니다. 바로 진행할 수 있도록 아래 "
        "정보를 티켓 설명에 추가하거나 댓글로 알려 주세요.",
        "example": "예: {example}",
        "outro": "정보를 추가해 주시면 자동으로 다시 확인합니다. 감사합니다.",
        "followup": "감사합니다! 필요한 정보가 모두 확인되어 담당자가 이어서 진행하겠습니다.",
    },
    "en": {
        "greeting": "Hi, this is the DevOps team's ticket assistant (automated message).",
        "intro": "This looks like a '{category}' request. So that we can start right away, "
        "please add the following to the description or reply in a comment:",
        "example": "e.g. {example}",
        "outro": "Once you add it, we will check the ticket again automatically. Thank you!",
        "followup": "Thank you! The ticket now has everything we need; the assignee will take "
        "it from here.",
    },
}


@dataclass(frozen=True)
class RenderedComment:
    adf: dict[str, Any]  # Jira Cloud v3 comment body
    wiki: str  # Jira Data Center (v2) comment body
    text: str  # plain text, for dry runs and the local tracker
    marker: str  # the last line, `ta-triage:<hash>`

    def body(self, flavor: Literal["cloud", "datacenter"]) -> dict[str, Any] | str:
        return self.adf if flavor == "cloud" else self.wiki


@dataclass(frozen=True)
class _Item:
    label: str
    description: str
    example: str


def render_comment(analysis: Analysis, catalog: Catalog | None = None) -> RenderedComment:
    """The request for the missing fields; `ValueError` if nothing is missing (label only)."""
    if not analysis.missing:
        raise ValueError(f"{analysis.key}: nothing is missing, so there is nothing to ask")
    catalog = catalog or default_catalog()
    category = catalog.get(analysis.category)
    words = _TEMPLATES[analysis.language]
    fields = {f.id: f for f in category.required_fields}
    items = [_item(fields[f], analysis.language, words) for f in analysis.missing if f in fields]
    name = category.name.ko if analysis.language == "ko" else category.name.en
    paragraphs = [words["greeting"], words["intro"].format(category=name)]
    return _render(paragraphs, items, [words["outro"]], analysis.analysis_hash)


def render_followup(analysis: Analysis) -> RenderedComment:
    """The one short thank-you once a ticket the bot asked about is complete."""
    words = _TEMPLATES[analysis.language]
    return _render([words["followup"]], [], [], analysis.analysis_hash)


def find_marker(body: object) -> str | None:
    """The analysis hash in a comment body as Jira returns it (ADF dict, wiki or rendered
    HTML string, plain text), or None when it is not one of the bot's comments."""
    text = body if isinstance(body, str) else adf_to_text(body)
    match = _MARKER.search(text)
    return match.group(1) if match else None


def _item(field: RequiredField, language: Language, words: dict[str, str]) -> _Item:
    label, description = (
        (field.label.ko, field.description.ko)
        if language == "ko"
        else (field.label.en, field.description.en)
    )
    return _Item(label, description, words["example"].format(example=field.example))


def _render(
    before: list[str], items: list[_Item], after: list[str], analysis_hash: str
) -> RenderedComment:
    marker = MARKER_PREFIX + analysis_hash
    return RenderedComment(
        adf=_adf(before, items, after, marker),
        wiki=_wiki(before, items, after, marker),
        text=_text(before, items, after, marker),
        marker=marker,
    )


def _adf(before: list[str], items: list[_Item], after: list[str], marker: str) -> dict[str, Any]:
    content: list[dict[str, Any]] = [_paragraph(_plain(p)) for p in before]
    if items:
        content.append(
            {
                "type": "bulletList",
                "content": [
                    {
                        "type": "listItem",
                        "content": [
                            _paragraph(
                                {"type": "text", "text": i.label, "marks": [{"type": "strong"}]},
                                _plain(f" — {i.description} "),
                                {
                                    "type": "text",
                                    "text": f"({i.example})",
                                    "marks": [{"type": "em"}],
                                },
                            )
                        ],
                    }
                    for i in items
                ],
            }
        )
    content.extend(_paragraph(_plain(p)) for p in after)
    grey = {"type": "textColor", "attrs": {"color": _MARKER_COLOR}}
    content.append(_paragraph({"type": "text", "text": marker, "marks": [grey]}))
    return {"type": "doc", "version": 1, "content": content}


def _paragraph(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(nodes)}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def _wiki(before: list[str], items: list[_Item], after: list[str], marker: str) -> str:
    lines = [_escape(p) for p in before]
    if items:
        lines.append(
            "\n".join(
                f"* *{_escape(i.label)}* — {_escape(i.description)} _({_escape(i.example)})_"
                for i in items
            )
        )
    lines.extend(_escape(p) for p in after)
    lines.append(f"{{color:{_MARKER_COLOR}}}{marker}{{color}}")
    return "\n\n".join(lines)


def _escape(text: str) -> str:
    """Catalog wording as literal wiki text: no macros, links or tables from an edited YAML."""
    return _WIKI_SPECIAL.sub(r"\\\1", text)


def _text(before: list[str], items: list[_Item], after: list[str], marker: str) -> str:
    blocks = list(before)
    if items:
        blocks.append("\n".join(f"- {i.label} — {i.description} ({i.example})" for i in items))
    return "\n\n".join([*blocks, *after, marker])
