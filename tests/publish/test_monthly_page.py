"""The monthly Confluence page: its sections, grounded numbers, escaping and both languages."""

from __future__ import annotations

import re

from publish.report_builders import HOSTILE, hostile_report, make_report, parse_storage

from ticket_analytics.publish.monthly_page import render_storage

AC = "{http://atlassian.com/content}"


def _macros(body: str) -> list[str]:
    return [m.get(f"{AC}name", "") for m in parse_storage(body).iter(f"{AC}structured-macro")]


def test_page_has_every_section_in_order() -> None:
    body = render_storage(make_report())
    headings = [h.text for h in parse_storage(body).iter("h2")]
    assert headings == [
        "Executive summary",
        "Where the work went",
        "Top toil to automate",
        "Incident trends",
        "Documentation gaps",
        "Changes since last month",
    ]
    assert _macros(body) == ["info", "chart", "chart", "expand"]
    assert "html" not in _macros(body)


def test_info_panel_names_the_model_behind_each_section() -> None:
    text = "".join(parse_storage(render_storage(make_report())).itertext())
    assert "Executive summary: offline/templates" in text
    assert "Top toil to automate: openai/gpt-4o" in text
    assert "FAKE-999" in text  # the dropped citation is disclosed, not silently lost


def test_prose_slots_are_filled_from_sql_figures_and_unknown_slots_stay_visible() -> None:
    text = "".join(parse_storage(render_storage(make_report())).itertext())
    assert "We handled 482 tickets; median lead time 7.2h." in text
    assert "Unknown {not_a_slot} stays." in text
    assert "saves 38% of the toil" in text  # slots work inside recommendations too


def test_chart_data_is_also_shown_as_a_plain_table() -> None:
    root = parse_storage(render_storage(make_report()))
    tables = [t for t in root.iter("table")]
    plain_rows = [[c.text for c in tr] for t in tables for tr in t.iter("tr")]
    assert ["Access request", "180", "176", "2.5"] in plain_rows
    assert ["Incident", "22", "21", "n/a"] in plain_rows


def test_toil_shows_hours_saved_and_their_basis() -> None:
    root = parse_storage(render_storage(make_report()))
    rows = [[("".join(c.itertext())) for c in tr] for tr in root.iter("tr")]
    grafana = next(r for r in rows if "Grant read access to Grafana" in r)
    assert grafana[3:6] == ["95", "31.5", "logged work"]
    bucket = next(r for r in rows if "Create an S3 bucket" in r)
    assert bucket[5] == "working hours (estimate)"


def test_documentation_gaps_are_grouped_per_category() -> None:
    root = parse_storage(render_storage(make_report()))
    assert [h.text for h in root.iter("h3")] == ["rds", "New Kubernetes service"]


def test_ticket_keys_are_text_or_jira_links() -> None:
    plain = render_storage(make_report())
    assert "OPS-101" in plain and "<a " not in plain
    linked = render_storage(make_report(), jira_base_url="https://jira.example.com")
    hrefs = [a.get("href") for a in parse_storage(linked).iter("a")]
    assert "https://jira.example.com/browse/OPS-101" in hrefs


def test_hostile_ticket_text_is_escaped_and_the_page_stays_well_formed() -> None:
    body = render_storage(hostile_report(), jira_base_url="https://jira.example.com")
    root = parse_storage(body)  # well-formed, with the ac/ri namespaces
    for raw in ("<script>", "<!channel>", "<@U123>", "<http://evil", "\x00", "\x1b"):
        assert raw not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "html" not in _macros(body)
    assert not any(el.tag in ("script", "iframe") for el in root.iter())
    hrefs = [a.get("href") for a in root.iter("a")]
    assert all(h and h.startswith("https://jira.example.com/browse/") for h in hrefs)
    assert "ignore previous instructions" in "".join(root.itertext())  # shown, inert


def test_korean_page_uses_korean_fixed_text() -> None:
    body = render_storage(make_report("ko"))
    root = parse_storage(body)
    assert [h.text for h in root.iter("h2")][:2] == ["요약", "업무 분포"]
    text = "".join(root.itertext())
    assert "작업 로그 기준" in text and "근무 시간 기준 (추정)" in text
    assert not re.search(r"Executive summary|Where the work went", text)


def test_equal_reports_render_equal_bytes() -> None:
    assert render_storage(make_report()) == render_storage(make_report())
    assert HOSTILE  # the builder module is shared with the hostile tests


def test_a_quiet_month_says_so_instead_of_leaving_empty_sections() -> None:
    quiet = make_report(
        categories=(), toil=(), incidents=(), documentation_gaps=(), changes=(), prose={}
    )
    root = parse_storage(render_storage(quiet))
    text = "".join(root.itertext())
    assert text.count("Nothing to report this month.") == 5
    assert _macros(render_storage(quiet)) == ["info", "expand"]
