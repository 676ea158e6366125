"""The dashboard is one offline, UTF-8 HTML file, written atomically, built from the marts."""

import os
import re
from pathlib import Path

import dagster as dg
import duckdb
import plotly.graph_objects as go
import plotly.offline
import polars as pl
import pytest
from jira_builders import issue, load_and_build, write_page

from ticket_analytics.defs.reports.assets import DashboardConfig, dashboard_html
from ticket_analytics.defs.resources import WarehouseResource
from ticket_analytics.reports.dashboard import write_dashboard
from ticket_analytics.reports.frames import SCHEMAS, load_dashboard_frames
from ticket_analytics.warehouse.connection import connect

PLOTLY_JS = plotly.offline.get_plotlyjs()
BANNER = re.search(r"plotly\.js v\d+\.\d+\.\d+", PLOTLY_JS)[0]  # type: ignore[index]
FIGURES = [
    ("처리량 (throughput)", go.Figure(go.Bar(x=["a"], y=[1]), {"title": {"text": "Throughput"}})),
    ("Backlog", go.Figure(go.Scatter(x=[1, 2], y=[3, 4]), {"title": {"text": "백로그 추이"}})),
]


def _page(tmp_path: Path, title: str = "Dashboard") -> str:
    path = write_dashboard(tmp_path / "dashboard.html", FIGURES, title=title, generated_at=None)
    return path.read_bytes().decode("utf-8")


def test_every_heading_and_chart_title_is_in_the_page(tmp_path: Path) -> None:
    page = _page(tmp_path)
    for heading, figure in FIGURES:
        assert f"<h2>{heading}</h2>" in page
        assert f'"title":{{"text":"{figure.layout.title.text}"}}' in page


def test_plotly_js_is_inlined_once_and_nothing_is_fetched_from_the_network(
    tmp_path: Path,
) -> None:
    page = _page(tmp_path)
    assert page.count(BANNER) == 1
    assert page.count("<script") == 1 + len(FIGURES)
    assert not re.search(r"<script[^>]*\ssrc\s*=", page)
    assert not re.search(r"<link[^>]*\shref\s*=", page)
    # plotly.js itself mentions cdn.plot.ly and https:// URLs; the page around it must not.
    rest = page.replace(PLOTLY_JS, "")
    assert "cdn.plot.ly" not in rest and "https://" not in rest and "http://" not in rest


def test_a_korean_title_survives_and_markup_in_it_is_escaped(tmp_path: Path) -> None:
    page = _page(tmp_path, title="티켓 대시보드 <베타> & 운영")
    assert '<meta charset="utf-8">' in page
    assert "<title>티켓 대시보드 &lt;베타&gt; &amp; 운영</title>" in page
    assert "<h1>티켓 대시보드 &lt;베타&gt; &amp; 운영</h1>" in page


def test_rewriting_replaces_the_page_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    _page(tmp_path, title="first")
    page = _page(tmp_path, title="second")
    assert "<title>second</title>" in page
    assert [p.name for p in tmp_path.iterdir()] == ["dashboard.html"]


def test_a_failed_write_keeps_the_previous_page_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _page(tmp_path, title="previous")

    def fail(source: str, target: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        _page(tmp_path, title="next")
    assert [p.name for p in tmp_path.iterdir()] == ["dashboard.html"]
    assert "<title>previous</title>" in (tmp_path / "dashboard.html").read_text("utf-8")


def test_marts_not_built_yet_load_as_empty_frames_with_their_columns(tmp_path: Path) -> None:
    with connect(tmp_path / "empty.duckdb") as conn:
        frames = load_dashboard_frames(conn)
    assert frames.tickets.is_empty() and frames.daily_flow.is_empty()
    assert frames.monthly_ops.schema == pl.Schema(SCHEMAS["fct_monthly_ops"])
    assert frames.toil.columns == list(SCHEMAS["fct_toil_candidates"])


TICKETS = [
    issue(
        f"OPS-{n}",
        f"2025-10-0{n}T09:00:00.000+0000",
        summary=f"Jenkins job 생성: svc-{n}",
        transitions=[(f"2025-10-0{n}T12:00:00.000+0000", "Open", "Resolved")] if n % 2 else [],
        resolved=f"2025-10-0{n}T12:00:00.000+0000" if n % 2 else None,
    )
    for n in range(1, 6)
]


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    file = tmp_path / "w.duckdb"
    with connect(file) as conn:
        load_and_build(conn, write_page(tmp_path / "page.json", TICKETS), months=["2025-10"])
    return file


def test_dashboard_asset_writes_the_page_and_the_numbers_behind_each_chart(
    warehouse: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "dashboard.html"
    result = dg.materialize(
        [dashboard_html],
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
        run_config=dg.RunConfig({"dashboard_html": DashboardConfig(path=str(target))}),
    )
    assert result.success
    assert target.is_file()
    (materialization,) = result.asset_materializations_for_node("dashboard_html")
    metadata = materialization.metadata
    assert metadata["chart_count"].value == 8
    assert metadata["path"].value == str(target)
    assert "| devops_tools | 5 |" in metadata["category_distribution"].value
    assert "| 2025-10 | 5 | 3 |" in metadata["throughput_and_lead_time"].value
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        frames = load_dashboard_frames(conn)
    assert frames.daily_flow.height == 5 * 3
