"""The offline HTML preview and the files a dry run writes."""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path

import plotly.offline
import pytest
from publish.report_builders import hostile_report, make_report, parse_storage

from ticket_analytics.publish.dry_run import write_dry_run
from ticket_analytics.publish.preview import render_preview


def test_preview_embeds_plotly_and_needs_no_network() -> None:
    page = render_preview(make_report())
    plotly_js = plotly.offline.get_plotlyjs()
    assert page.count(plotly_js) == 1
    assert not re.search(r"<script[^>]*\ssrc\s*=", page)
    # plotly.js itself mentions its CDN; the page around it must not load anything.
    assert "cdn.plot.ly" not in page.replace(plotly_js, "")
    assert page.count('class="plotly-graph-div"') == 3
    for heading in ("Executive summary", "Top toil to automate", "Changes since last month"):
        assert f"<h2>{heading}</h2>" in page


def test_preview_escapes_hostile_text_even_inside_chart_data() -> None:
    page = render_preview(hostile_report())
    body = page.partition("</head>")[2]
    assert "<script>alert(1)</script>" not in body
    assert "alert(1)\\u003c\\u002fscript\\u003e" in body  # plotly's JSON escapes it too
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "\x00" not in page and "\x1b" not in page


def test_preview_in_korean() -> None:
    page = render_preview(make_report("ko"))
    assert '<html lang="ko">' in page and "<h2>지난달 대비 변화</h2>" in page


def test_dry_run_writes_page_preview_and_payload(tmp_path: Path) -> None:
    paths = write_dry_run(make_report(), tmp_path / "reports")
    assert paths == {
        "confluence": tmp_path / "reports/confluence/2025-10.xhtml",
        "preview": tmp_path / "reports/monthly/2025-10.html",
        "slack": tmp_path / "reports/slack/2025-10.json",
    }
    parse_storage(paths["confluence"].read_text(encoding="utf-8"))
    assert json.loads(paths["slack"].read_text(encoding="utf-8"))["blocks"][0]["type"] == "header"
    assert "plotly-graph-div" in paths["preview"].read_text(encoding="utf-8")
    leftovers = [p for p in (tmp_path / "reports").rglob("*") if p.name.startswith(".")]
    assert leftovers == []
    assert oct(os.stat(paths["confluence"]).st_mode & 0o777) == "0o644"


def test_dry_run_is_byte_stable_for_an_unchanged_report(tmp_path: Path) -> None:
    first = {k: p.read_bytes() for k, p in write_dry_run(make_report(), tmp_path).items()}
    second = {k: p.read_bytes() for k, p in write_dry_run(make_report(), tmp_path).items()}
    assert first == second


def test_dry_run_refuses_a_month_that_is_not_a_month(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        write_dry_run(replace(make_report(), month="../../etc"), tmp_path)
