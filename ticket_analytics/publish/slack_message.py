"""The Slack announcement of a monthly report, as a Block Kit payload.

Ticket text reaches Slack only through ``escape_mrkdwn``: Slack turns ``<!channel>``,
``<@U…>`` and ``<url|label>`` into pings and links, and escaping ``& < >`` (and nothing
else, as Slack asks) makes them plain characters. Every text is cut to Slack's limits
before it is sent, since Slack refuses the whole message when one block is too long.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from ticket_analytics.analysis.report import MonthlyReport
from ticket_analytics.publish.storage import clean
from ticket_analytics.publish.texts import (
    category_label,
    fill_slots,
    number,
    texts,
    with_unit,
)

__all__ = [
    "FIELD_MAX",
    "HEADER_MAX",
    "MAX_BLOCKS",
    "MAX_FIELDS",
    "SECTION_MAX",
    "build_message",
    "build_updated_message",
    "choose_message",
    "escape_mrkdwn",
    "fingerprint",
]

HEADER_MAX = 150
SECTION_MAX = 3000
FIELD_MAX = 2000
MAX_FIELDS = 10
MAX_BLOCKS = 50
# Slack truncates a notification's `text` itself; keeping it short keeps the preview useful.
FALLBACK_MAX = 3000
_MRKDWN = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ELLIPSIS = "…"


def fingerprint(storage_body: str) -> str:
    """sha256 of the rendered page: equal fingerprints mean nothing on the page changed."""
    return hashlib.sha256(storage_body.encode("utf-8")).hexdigest()


def escape_mrkdwn(text: str) -> str:
    return clean(text).translate(_MRKDWN)


def _fit(text: str, limit: int) -> str:
    """Escaped text of at most `limit` characters, cut between (never inside) entities."""
    out = escape_mrkdwn(text)
    if len(out) <= limit:
        return out
    pieces: list[str] = []
    size = 0
    for char in clean(text):
        piece = escape_mrkdwn(char)
        if size + len(piece) > limit - len(_ELLIPSIS):
            break
        pieces.append(piece)
        size += len(piece)
    return "".join(pieces) + _ELLIPSIS


def _link(url: str | None, label: str) -> str | None:
    # Only our own page URL becomes a link, and only an http(s) one without Slack's syntax.
    if not url or not re.fullmatch(r"https?://[^\s<>|]+", url):
        return None
    return f"<{url.replace('&', '&amp;')}|{escape_mrkdwn(label)}>"


def _header(text: str) -> dict[str, Any]:
    # Slack asks for `& < >` to be escaped in every text object, plain_text included.
    return {"type": "header", "text": {"type": "plain_text", "text": _fit(text, HEADER_MAX)}}


def _section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def _toil_text(report: MonthlyReport) -> str:
    t = texts(report.language)
    lines = []
    for rank, item in enumerate(report.toil[:3], start=1):
        detail = t["toil_line"].format(
            tickets=number(item.tickets_in_month), hours=number(item.hours_saved_per_month)
        )
        head = f"{item.request_template} ({category_label(report, item.category)})"
        idea = fill_slots(item.recommendation, report.slots)
        lines.append(
            f"{rank}. *{_fit(head, 300)}* — {escape_mrkdwn(detail)}\n    {_fit(idea, 600)}"
        )
    return "\n".join(lines)


def build_message(report: MonthlyReport, *, page_url: str | None = None) -> dict[str, Any]:
    """The full announcement: header, key numbers, the top three toil items, the page link."""
    t = texts(report.language)
    url = page_url or report.page_url
    blocks: list[dict[str, Any]] = [_header(report.title)]
    fields = [
        {
            "type": "mrkdwn",
            "text": f"*{_fit(f.label, 200)}*\n{_fit(with_unit(f.value, f.unit), FIELD_MAX - 210)}",
        }
        for f in report.headline[:MAX_FIELDS]
    ]
    if fields:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{escape_mrkdwn(t['key_numbers'])}*"},
                "fields": fields,
            }
        )
    if report.toil:
        blocks.append({"type": "divider"})
        toil = f"*{escape_mrkdwn(t['top_toil'])}*\n{_toil_text(report)}"
        blocks.append(_section(toil if len(toil) <= SECTION_MAX else _cut(toil)))
    link = _link(url, t["open_page"])
    if link:
        blocks.append(_section(link))
    fallback = f"{report.title}: " + ", ".join(
        f"{f.label} {with_unit(f.value, f.unit)}" for f in report.headline[:4]
    )
    return {"text": _fit(fallback, FALLBACK_MAX), "blocks": blocks[:MAX_BLOCKS]}


def _cut(already_escaped: str) -> str:
    # The toil text is escaped line by line; cut at a line end so no entity is split.
    kept = already_escaped[: SECTION_MAX - 1]
    return kept[: kept.rfind("\n")] + "\n" + _ELLIPSIS if "\n" in kept else kept[:-1] + _ELLIPSIS


def build_updated_message(report: MonthlyReport, *, page_url: str | None = None) -> dict[str, Any]:
    """The short note for a report that changed after it was announced."""
    t = texts(report.language)
    note = t["updated_text"].format(month=report.month)
    blocks = [_header(f"{t['updated_header']}: {report.title}"), _section(escape_mrkdwn(note))]
    link = _link(page_url or report.page_url, t["open_page"])
    if link:
        blocks.append(_section(link))
    return {"text": _fit(f"{report.title}: {note}", FALLBACK_MAX), "blocks": blocks}


def choose_message(
    report: MonthlyReport,
    *,
    storage_body: str,
    previous_fingerprint: str | None,
    page_url: str | None = None,
) -> dict[str, Any] | None:
    """One message per publication: the full one first, nothing for an unchanged re-run,
    the short "updated" note when the page changed since the last announcement."""
    current = fingerprint(storage_body)
    if previous_fingerprint is None:
        return build_message(report, page_url=page_url)
    if previous_fingerprint == current:
        return None
    return build_updated_message(report, page_url=page_url)
