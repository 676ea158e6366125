from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ticket_analytics.jira.adf import adf_to_text


def _text(value: str, *marks: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": value}
    if marks:
        node["marks"] = list(marks)
    return node


def _para(*inline: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(inline)}


def _doc(*blocks: Any) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": list(blocks)}


def _item(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "listItem", "content": list(blocks)}


def _bullets(*items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "bulletList", "content": list(items)}


def _cell(kind: str, value: str) -> dict[str, Any]:
    return {"type": kind, "content": [_para(_text(value))] if value else [_para()]}


def test_none_is_empty_and_str_passes_through_unchanged() -> None:
    assert adf_to_text(None) == ""
    wiki = "h1. Title\n\n*bold*  <script>x</script>  \n"
    assert adf_to_text(wiki) == wiki


def test_paragraphs_are_separated_by_one_blank_line() -> None:
    doc = _doc(_para(_text("one")), _para(), _para(_text("two")))
    assert adf_to_text(doc) == "one\n\ntwo"


def test_heading_stands_on_its_own_line() -> None:
    doc = _doc(
        {"type": "heading", "attrs": {"level": 2}, "content": [_text("Steps")]},
        _para(_text("Do it")),
    )
    assert adf_to_text(doc) == "Steps\n\nDo it"


def test_nested_lists_indent_two_spaces_per_level_and_ordered_lists_honour_start() -> None:
    inner = {
        "type": "orderedList",
        "attrs": {"order": 3},
        "content": [_item(_para(_text("b"))), _item(_para(_text("c")))],
    }
    deepest = _bullets(_item(_para(_text("d"))))
    inner["content"][1]["content"].append(deepest)
    doc = _doc(_bullets(_item(_para(_text("a")), inner), _item(_para(_text("e")))))
    assert adf_to_text(doc) == "- a\n  3. b\n  4. c\n    - d\n- e"


def test_ordered_list_without_valid_order_starts_at_one() -> None:
    for attrs in ({}, {"order": "7"}, {"order": True}, {"order": -2}, None):
        node = {"type": "orderedList", "attrs": attrs, "content": [_item(_para(_text("x")))]}
        assert adf_to_text(_doc(node)) == "1. x"


def test_code_block_text_is_kept_verbatim_on_its_own_lines() -> None:
    code = "def f():\n\n\n    return '<b>'  # trailing  "
    doc = _doc(
        _para(_text("before")),
        {"type": "codeBlock", "attrs": {"language": "python"}, "content": [_text(code)]},
        _para(_text("after")),
    )
    assert adf_to_text(doc) == f"before\n\n{code}\n\nafter"


def test_blockquote_prefixes_every_line() -> None:
    quote = {"type": "blockquote", "content": [_para(_text("q1")), _para(_text("q2"))]}
    assert adf_to_text(_doc(quote)) == "> q1\n>\n> q2"


def test_rule_renders_as_dashes() -> None:
    assert adf_to_text(_doc(_para(_text("a")), {"type": "rule"}, _para(_text("b")))) == (
        "a\n\n---\n\nb"
    )


def test_table_renders_one_row_per_line_with_cells_joined_by_pipes() -> None:
    table = {
        "type": "table",
        "content": [
            {
                "type": "tableRow",
                "content": [_cell("tableHeader", "Host"), _cell("tableHeader", "State")],
            },
            {"type": "tableRow", "content": [_cell("tableCell", "db-1"), _cell("tableCell", "")]},
            {"type": "tableRow", "content": [_cell("tableCell", "web"), _cell("tableCell", "ok")]},
        ],
    }
    assert adf_to_text(_doc(table)) == "Host | State\ndb-1 |\nweb | ok"


def test_multi_paragraph_table_cell_stays_on_one_line() -> None:
    cell = {"type": "tableCell", "content": [_para(_text("a")), _para(_text("b"))]}
    table = {"type": "table", "content": [{"type": "tableRow", "content": [cell, cell]}]}
    assert adf_to_text(_doc(table)) == "a b | a b"


def test_panel_and_expand_show_title_then_content() -> None:
    doc = _doc(
        {"type": "panel", "attrs": {"panelType": "warning"}, "content": [_para(_text("careful"))]},
        {"type": "expand", "attrs": {"title": "Logs"}, "content": [_para(_text("line"))]},
        {"type": "nestedExpand", "attrs": {"title": 5}, "content": [_para(_text("inner"))]},
    )
    assert adf_to_text(doc) == "careful\n\nLogs\n\nline\n\ninner"


def test_link_mark_appends_url_only_when_it_differs_from_the_text() -> None:
    link = {"type": "link", "attrs": {"href": "https://example.com/x"}}
    doc = _doc(
        _para(
            _text("see "),
            _text("the runbook", {"type": "strong"}, link),
            _text(" or "),
            _text("https://example.com/x", link),
        )
    )
    assert adf_to_text(doc) == "see the runbook (https://example.com/x) or https://example.com/x"


def test_mention_uses_text_else_at_id() -> None:
    doc = _doc(
        _para(
            {"type": "mention", "attrs": {"id": "557058:abc", "text": "@Kim Min"}},
            _text(" and "),
            {"type": "mention", "attrs": {"id": "557058:def"}},
        )
    )
    assert adf_to_text(doc) == "@Kim Min and @557058:def"


def test_emoji_uses_text_else_short_name() -> None:
    doc = _doc(
        _para(
            {"type": "emoji", "attrs": {"shortName": ":fire:", "text": "🔥"}},
            {"type": "emoji", "attrs": {"shortName": ":custom:"}},
        )
    )
    assert adf_to_text(doc) == "🔥:custom:"


def test_hard_break_is_a_newline_and_blank_runs_collapse() -> None:
    brk = {"type": "hardBreak"}
    doc = _doc(_para(_text("a  "), brk, _text("b"), brk, brk, brk, brk, _text("c"), brk))
    assert adf_to_text(doc) == "a\nb\n\nc"


def test_cards_status_and_date_render_their_attributes() -> None:
    doc = _doc(
        _para(
            {"type": "inlineCard", "attrs": {"url": "https://jira/browse/OPS-1"}},
            _text(" is "),
            {"type": "status", "attrs": {"text": "IN PROGRESS", "color": "blue"}},
            _text(" due "),
            {"type": "date", "attrs": {"timestamp": "1761955200000"}},
        ),
        {"type": "blockCard", "attrs": {"url": "https://wiki/page"}},
        {"type": "embedCard", "attrs": {"url": "https://embed", "layout": "wide"}},
    )
    assert adf_to_text(doc) == (
        "https://jira/browse/OPS-1 is IN PROGRESS due 2025-11-01\n\nhttps://wiki/page\n\nhttps://embed"
    )


def test_date_is_utc_and_tolerates_numeric_and_bad_timestamps() -> None:
    def date(stamp: object) -> str:
        return adf_to_text(_para({"type": "date", "attrs": {"timestamp": stamp}}))

    # 2025-10-31T23:30Z is already November in Seoul; ADF dates are UTC days.
    assert date(1761953400000) == "2025-10-31"
    assert date("not-a-number") == "not-a-number"
    assert date(None) == ""
    assert date("1e400") == "1e400"


def test_media_renders_as_short_attachment_marker() -> None:
    doc = _doc(
        {
            "type": "mediaSingle",
            "content": [{"type": "media", "attrs": {"id": "f-1", "type": "file"}}],
        },
        {
            "type": "mediaGroup",
            "content": [
                {"type": "media", "attrs": {"id": "f-2", "alt": "trace.png"}},
                {"type": "media", "attrs": {}},
            ],
        },
    )
    assert adf_to_text(doc) == "[attachment: f-1]\n\n[attachment: trace.png] [attachment]"


def test_task_lists_show_checkboxes_and_nest() -> None:
    doc = _doc(
        {
            "type": "taskList",
            "content": [
                {"type": "taskItem", "attrs": {"state": "DONE"}, "content": [_text("backup")]},
                {
                    "type": "taskList",
                    "content": [
                        {"type": "taskItem", "attrs": {"state": "TODO"}, "content": [_text("x")]}
                    ],
                },
            ],
        }
    )
    assert adf_to_text(doc) == "- [x] backup\n  - [ ] x"


def test_unknown_nodes_keep_their_text_and_children() -> None:
    doc = _doc(
        {"type": "futureBlock", "content": [_para(_text("inside"))]},
        _para({"type": "futureInline", "text": "own", "content": [_text(" kid")]}),
        {"type": "placeholder", "text": "leaf"},
    )
    assert adf_to_text(doc) == "inside\n\nown kid\n\nleaf"


@pytest.mark.parametrize(
    "malformed",
    [
        42,
        3.5,
        b"bytes",
        [],
        {},
        {"type": None},
        {"type": ["list"], "content": "nope"},
        {"type": "doc", "content": None},
        {"type": "doc", "content": [None, 1, "x", [], {"content": 5}]},
        {"type": "paragraph", "content": [{"type": "text", "text": 5, "marks": "bad"}]},
        {"type": "text", "text": "t", "marks": [None, {"type": "link", "attrs": []}]},
        {"type": "mention", "attrs": "nope"},
        {"type": "emoji", "attrs": {"text": 1, "shortName": None}},
        {"type": "orderedList", "attrs": {"order": 1}, "content": [{"type": "text"}, _text(" ")]},
        {"type": "table", "content": [{"type": "tableRow", "content": [None, {"attrs": 1}]}]},
        {"type": "date", "attrs": {"timestamp": float("nan")}},
        {"type": "media", "attrs": {"id": 12}},
        {"type": "codeBlock", "content": [{"type": "bulletList"}, 7]},
    ],
)
def test_malformed_input_never_raises(malformed: object) -> None:
    assert isinstance(adf_to_text(malformed), str)


def test_block_inside_paragraph_keeps_its_text() -> None:
    doc = _doc(_para(_text("lead "), _bullets(_item(_para(_text("odd"))))))
    assert adf_to_text(doc) == "lead\n- odd"


def test_bare_node_and_list_of_nodes_are_accepted() -> None:
    assert adf_to_text(_text("just text")) == "just text"
    assert adf_to_text([_para(_text("a")), _para(_text("b"))]) == "a\n\nb"


def test_text_is_not_escaped_and_control_characters_survive() -> None:
    raw = "<script>alert('x')</script> &amp; 😀 \x07\x1b[31m"
    assert adf_to_text(_doc(_para(_text(raw)))) == raw


@pytest.mark.parametrize("kind", ["blockquote", "listItem", "mysteryWrapper", "paragraph"])
def test_five_thousand_levels_of_nesting_do_not_recurse_and_keep_the_text(kind: str) -> None:
    node: dict[str, Any] = _para(_text("bottom"))
    for _ in range(5000):
        node = {"type": kind, "content": [node]}
    text = adf_to_text(_doc(node))
    assert text.endswith("bottom")


def test_deeply_nested_lists_keep_every_item_text() -> None:
    node: dict[str, Any] = _para(_text("leaf"))
    for level in range(5000):
        node = _bullets(_item(_para(_text(f"L{level}")), node))
    text = adf_to_text(_doc(node))
    assert text.startswith("- L4999\n  - L4998\n    - L4997")
    assert all(f"L{level}" in text for level in range(5000))
    assert text.endswith("leaf")


def test_captured_cloud_issue_description_and_comments(shared_samples: Path) -> None:
    issues = json.loads((shared_samples / "jira/cloud-v3-issue-adf.airbyte.json").read_text())
    description = issues["issues"][0]["fields"]["description"]
    assert description["type"] == "doc"
    assert adf_to_text(description) == "Test issue"

    comments = json.loads((shared_samples / "jira/cloud-v3-comments-adf.airbyte.json").read_text())
    bodies = [adf_to_text(comment["body"]) for comment in comments["comments"]]
    assert bodies[0] == "Closed"
    assert bodies[1].startswith("Lorem ipsum dolor sit amet, consectetur adipiscing elit.")
    assert bodies[1].endswith("posuere augue semper.")
    assert "\n" not in bodies[1]
