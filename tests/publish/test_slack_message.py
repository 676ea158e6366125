"""The Slack payload: escaped ticket text, Slack's limits, one message per publication."""

from __future__ import annotations

import json
from dataclasses import replace

from fakes.slack_server import block_problems
from publish.report_builders import HOSTILE, hostile_report, make_report

from ticket_analytics.analysis.report import HEADLINE, Figure, ToilItem
from ticket_analytics.publish.monthly_page import render_storage
from ticket_analytics.publish.slack_message import (
    build_message,
    build_updated_message,
    choose_message,
    escape_mrkdwn,
    fingerprint,
)


def _texts(message: dict) -> list[str]:
    out = [message["text"]]
    for block in message["blocks"]:
        if "text" in block:
            out.append(block["text"]["text"])
        out += [f["text"] for f in block.get("fields", [])]
    return out


def test_escape_mrkdwn_replaces_only_ampersand_and_angle_brackets() -> None:
    assert escape_mrkdwn("a & <!channel> 'q' \"d\" *b*") == "a &amp; &lt;!channel&gt; 'q' \"d\" *b*"


def test_message_has_header_key_numbers_top_three_toil_and_the_link() -> None:
    message = build_message(make_report())
    kinds = [b["type"] for b in message["blocks"]]
    assert kinds == ["header", "section", "divider", "section", "section"]
    assert message["blocks"][0]["text"] == {
        "type": "plain_text",
        "text": "Ops Monthly Report 2025-10",
    }
    fields = [f["text"] for f in message["blocks"][1]["fields"]]
    assert fields[0] == "*Tickets*\n482" and fields[2] == "*Median lead time*\n7.2h"
    toil = message["blocks"][3]["text"]["text"]
    assert "Grant read access to Grafana" in toil and "Restart a pod" in toil
    assert "Rotate a secret" not in toil  # top three only
    assert "saves 38% of the toil" in toil  # recommendation slots are filled from SQL
    assert message["blocks"][4]["text"]["text"] == (
        "<https://example.atlassian.net/wiki/spaces/OPS/pages/98001|Open the report>"
    )
    assert message["text"].startswith("Ops Monthly Report 2025-10: Tickets 482")
    assert block_problems(message) == []


def test_the_notification_text_leads_with_the_headline_figures() -> None:
    """Phones show only `text`: the month's key numbers, whatever order the figures are in."""
    report = make_report()
    message = build_message(replace(report, figures=tuple(reversed(report.figures))))
    assert message["text"] == (
        "Ops Monthly Report 2025-10: Tickets 482, Delivered 455, Median lead time 7.2h, "
        "Toil share 38%"
    )


def test_hostile_text_is_inert_in_every_text_of_the_payload() -> None:
    message = build_message(hostile_report())
    for text in _texts(message)[1:]:
        for raw in ("<!channel>", "<!here>", "<@U123>", "<http://evil", "<script>", "\x00", "\x1b"):
            assert raw not in text
    assert "&lt;!channel&gt;" in message["text"]
    payload = json.dumps(message)
    assert "\\u0000" not in payload and "\\u001b" not in payload
    assert block_problems(message) == []


def test_slack_limits_hold_for_absurdly_long_text() -> None:
    long = "&<" * 5000
    report = replace(
        make_report(),
        title="T" * 400,
        figures=tuple(Figure(key, long, i) for i, key in enumerate(HEADLINE)),
        toil=tuple(ToilItem(long, "rds", 1, 1.0, "worklog", long) for _ in range(5)),
    )
    message = build_message(report)
    assert block_problems(message) == []
    assert len(message["blocks"][0]["text"]["text"]) == 150
    assert len(message["blocks"][1]["fields"]) == 10
    for text in _texts(message):
        assert len(text) <= 3000
        assert not text.endswith(("&", "&a", "&am", "&amp", "&l", "&lt"))  # no entity cut in half


def test_unchanged_report_posts_nothing_and_a_changed_one_posts_a_short_update() -> None:
    report = make_report()
    body = render_storage(report)
    first = choose_message(report, storage_body=body, previous_fingerprint=None)
    assert first == build_message(report)
    assert choose_message(report, storage_body=body, previous_fingerprint=fingerprint(body)) is None
    changed = render_storage(replace(report, prose={"executive_summary": "Revised."}))
    update = choose_message(report, storage_body=changed, previous_fingerprint=fingerprint(body))
    assert update == build_updated_message(report)
    assert update is not None and len(update["blocks"]) == 3
    assert update["blocks"][0]["text"]["text"].startswith("Updated: ")


def test_korean_message_uses_korean_fixed_text() -> None:
    message = build_message(make_report("ko"))
    assert message["blocks"][1]["text"]["text"] == "*주요 수치*"
    assert "티켓 95건" in message["blocks"][3]["text"]["text"]
    assert "보고서 열기" in message["blocks"][4]["text"]["text"]
    assert HOSTILE
