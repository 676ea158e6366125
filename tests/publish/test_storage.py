"""Storage-format primitives: text stays text, the XML stays well-formed, macros are Confluence's."""

from __future__ import annotations

import pytest
from publish.report_builders import HOSTILE, parse_storage

from ticket_analytics.publish import storage as s


def test_escape_turns_markup_characters_into_entities() -> None:
    assert (
        s.escape("""a & b < c > d "e" 'f'""") == "a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;"
    )


def test_escape_removes_control_characters_xml_cannot_carry() -> None:
    assert s.escape("a\x00b\x07c\x1b\x7f\x9fd\te\nf\r\ng") == "abcd\te\nf\ng"


def test_markup_from_a_builder_is_not_escaped_twice() -> None:
    assert s.paragraph(s.strong("a&b")) == "<p><strong>a&amp;b</strong></p>"


def test_cdata_splits_its_terminator() -> None:
    section = s.cdata("keep ]]> as it is")
    assert section == "<![CDATA[keep ]]]]><![CDATA[> as it is]]>"
    root = parse_storage(f"<ac:plain-text-body>{section}</ac:plain-text-body>")
    assert "".join(root.itertext()) == "keep ]]> as it is"


def test_every_builder_yields_well_formed_storage_for_hostile_text() -> None:
    body = s.concat(
        [
            s.heading(2, HOSTILE),
            s.paragraph(HOSTILE + "\nsecond line"),
            s.bullet_list([HOSTILE, HOSTILE]),
            s.table([HOSTILE], [[HOSTILE]]),
            s.info_panel(HOSTILE, s.paragraph(HOSTILE)),
            s.expand(HOSTILE, s.paragraph(HOSTILE)),
            s.chart(HOSTILE, [HOSTILE, HOSTILE], [(HOSTILE, (1.25,))]),
            s.link("https://example.com/?a=1&b=<2>", HOSTILE),
        ]
    )
    root = parse_storage(body + s.cdata(HOSTILE))
    assert "<script>" not in body and "<!channel>" not in body
    text = "".join(root.itertext())
    assert "<script>alert(1)</script>" in text  # shown to the reader, as characters
    assert "\x00" not in text and "\x1b" not in text


def test_chart_is_confluences_chart_macro_over_a_data_table() -> None:
    body = s.chart("Tickets", ["Category", "Tickets"], [("RDS", (1200,)), ("Access", (3.5,))])
    root = parse_storage(body)
    ns = {"ac": "http://atlassian.com/content"}
    macro = root.find("ac:structured-macro", ns)
    assert macro is not None and macro.get(f"{{{ns['ac']}}}name") == "chart"
    params = {p.get(f"{{{ns['ac']}}}name"): p.text for p in macro.findall("ac:parameter", ns)}
    assert params["type"] == "bar" and params["title"] == "Tickets"
    cells = [td.text for td in macro.iter("td")]
    assert cells == [
        "RDS",
        "1200",
        "Access",
        "3.5",
    ]  # numbers unformatted, as the macro parses them


def test_links_other_than_http_are_refused() -> None:
    with pytest.raises(ValueError):
        s.link("javascript:alert(1)", "x")


def test_info_and_expand_are_structured_macros() -> None:
    assert s.info_panel("T", s.paragraph("x")).startswith('<ac:structured-macro ac:name="info">')
    assert s.expand("T", s.paragraph("x")).startswith('<ac:structured-macro ac:name="expand">')
