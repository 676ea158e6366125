"""A standalone HTML preview of the monthly page, for dry runs and for reading without Confluence.

Same sections and texts as the storage page; charts are plotly with plotly.js inlined once
(as the dashboard does), so the file opens offline. Chart ids are fixed, so equal reports
give equal bytes.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence

import plotly.graph_objects as go
import plotly.offline

from ticket_analytics.analysis.report import SECTIONS, MonthlyReport
from ticket_analytics.publish.storage import clean
from ticket_analytics.publish.texts import (
    basis_label,
    category_label,
    delta,
    fill_slots,
    issue_url,
    number,
    percent,
    prose,
    texts,
    with_unit,
)
from ticket_analytics.reports.dashboard import CHART_HEIGHT

__all__ = ["render_preview"]

_STYLE = """
body { margin: 0 auto; max-width: 1100px; padding: 1.5rem; color: #222;
       font-family: system-ui, -apple-system, "Apple SD Gothic Neo", "Malgun Gothic",
                    "Noto Sans KR", sans-serif; }
.info { background: #e9f2ff; border-left: 4px solid #0c66e4; padding: .5rem 1rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f4f5f7; }
.note { color: #666; }
"""


def _e(text: str) -> str:
    return html.escape(clean(text), quote=True)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], raw_last: bool = False) -> str:
    """A table of text cells; with `raw_last` the last cell is trusted HTML (ticket links)."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = ""
    for row in rows:
        cells = [_e(c) for c in row[:-1]] + [row[-1] if raw_last else _e(row[-1])]
        body += "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _prose(report: MonthlyReport, section: str) -> str:
    blocks = [b.strip() for b in prose(report, section).split("\n\n") if b.strip()]
    return "".join("<p>" + "<br>".join(_e(line) for line in b.split("\n")) + "</p>" for b in blocks)


def _keys(keys: Sequence[str], jira_base_url: str | None) -> str:
    out = []
    for key in keys:
        url = issue_url(jira_base_url, key)
        out.append(f'<a href="{_e(url)}">{_e(key)}</a>' if url else _e(key))
    return ", ".join(out)


def _chart(index: int, figure: go.Figure) -> str:
    figure.update_layout(margin={"t": 40, "b": 40})
    return str(
        figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=f"chart-{index}",
            default_height=CHART_HEIGHT,
            config={"displaylogo": False, "responsive": True},
        )
    )


def _bars(title: str, labels: Sequence[str], series: Mapping[str, Sequence[float]]) -> go.Figure:
    figure = go.Figure(
        [go.Bar(name=name, x=list(labels), y=list(values)) for name, values in series.items()]
    )
    figure.update_layout(title=title, barmode="group")
    return figure


def _section(t: Mapping[str, str], report: MonthlyReport, key: str, *content: str) -> str:
    """A section: heading, the model's prose, then the data (or a 'nothing to report')."""
    body = "".join(content) or f"<p>{_e(t['no_data'])}</p>"
    return f"<h2>{_e(t[key])}</h2>{_prose(report, key)}{body}"


def _categories(report: MonthlyReport, t: Mapping[str, str]) -> str:
    rows = report.categories
    if not rows:
        return _section(t, report, "categories")
    series = {t["tickets"]: [r.tickets for r in rows], t["delivered"]: [r.delivered for r in rows]}
    table = _table(
        [t["category"], t["tickets"], t["delivered"], t["p50_lead_time"]],
        [
            (r.label, number(r.tickets), number(r.delivered), number(r.p50_lead_time_hours))
            for r in rows
        ],
    )
    chart = _chart(0, _bars(t["categories"], [r.label for r in rows], series))
    return _section(t, report, "categories", chart, table)


def _toil(report: MonthlyReport, t: Mapping[str, str], jira_base_url: str | None) -> str:
    items = report.toil
    if not items:
        return _section(t, report, "toil")
    series = {t["hours_saved"]: [i.hours_saved_per_month for i in items]}
    chart = _chart(1, _bars(t["hours_saved"], [i.request_template for i in items], series))
    headers = ["request", "category", "tickets", "hours_saved", "basis", "recommendation"]
    table = _table(
        [*(t[h] for h in headers), t["examples"]],
        [
            (
                i.request_template,
                category_label(report, i.category),
                number(i.tickets_in_month),
                number(i.hours_saved_per_month),
                basis_label(report.language, i.hours_basis),
                fill_slots(i.recommendation, report.slots),
                _keys(i.example_keys, jira_base_url),
            )
            for i in items
        ],
        raw_last=True,
    )
    return _section(t, report, "toil", chart, table, f'<p class="note">{_e(t["basis_note"])}</p>')


def _incidents(report: MonthlyReport, t: Mapping[str, str], jira_base_url: str | None) -> str:
    trends = report.incidents
    if not trends:
        return _section(t, report, "incidents")
    series = {
        t["incident_count"]: [i.incidents for i in trends],
        t["repeats"]: [i.repeats_within_30_days for i in trends],
    }
    chart = _chart(2, _bars(t["incidents"], [i.service for i in trends], series))
    table = _table(
        [t["service"], t["incident_count"], t["repeats"], t["median_resolve"], t["examples"]],
        [
            (
                i.service,
                number(i.incidents),
                number(i.repeats_within_30_days),
                number(i.median_hours_to_resolve),
                _keys(i.example_keys, jira_base_url),
            )
            for i in trends
        ],
        raw_last=True,
    )
    return _section(t, report, "incidents", chart, table)


def _documentation_gaps(report: MonthlyReport, t: Mapping[str, str]) -> str:
    parts = []
    for category in dict.fromkeys(g.category for g in report.documentation_gaps):
        rows = [g for g in report.documentation_gaps if g.category == category]
        parts.append(f"<h3>{_e(category_label(report, category))}</h3>")
        parts.append(
            _table(
                [t["field"], t["missing_tickets"], t["missing_share"]],
                [(g.field_label, number(g.tickets), percent(g.missing_share)) for g in rows],
            )
        )
    return _section(t, report, "documentation_gaps", *parts)


def _changes(report: MonthlyReport, t: Mapping[str, str]) -> str:
    if not report.changes:
        return _section(t, report, "changes")
    table = _table(
        [t["metric"], t["previous"], t["current"], t["delta"]],
        [
            (
                c.label,
                with_unit(c.previous, c.unit),
                with_unit(c.current, c.unit),
                delta(c.previous, c.current),
            )
            for c in report.changes
        ],
    )
    return _section(t, report, "changes", table)


def _sections(report: MonthlyReport, t: Mapping[str, str], jira_base_url: str | None) -> list[str]:
    summary = f"<h2>{_e(t['executive_summary'])}</h2>{_prose(report, 'executive_summary')}"
    return [
        summary,
        _categories(report, t),
        _toil(report, t, jira_base_url),
        _incidents(report, t, jira_base_url),
        _documentation_gaps(report, t),
        _changes(report, t),
    ]


def _at_a_glance(report: MonthlyReport, t: Mapping[str, str]) -> str:
    figures = "".join(
        f"<li><strong>{_e(f.label)}</strong>: {_e(with_unit(f.value, f.unit))}</li>"
        for f in report.headline
    )
    authors = "".join(
        f"<li>{_e(t[section])}: {_e(report.authors[section])}</li>"
        for section in SECTIONS
        if section in report.authors
    )
    body = f"<ul>{figures}</ul>"
    if authors:
        body += f"<p><strong>{_e(t['written_by'])}</strong></p><ul>{authors}</ul>"
    if report.dropped_keys:
        body += f"<p>{_e(t['dropped_keys'])}: {len(report.dropped_keys)} — {_e(', '.join(report.dropped_keys))}</p>"
    return f'<div class="info"><h3>{_e(t["at_a_glance"])}</h3>{body}</div>'


def render_preview(report: MonthlyReport, *, jira_base_url: str | None = None) -> str:
    """The preview page as a string (plotly.js inlined in the head, ~5 MB)."""
    t = texts(report.language)
    title = _e(report.title)
    sections = "\n".join(
        f"<section>{part}</section>" for part in _sections(report, t, jira_base_url)
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_e(report.language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{_STYLE}</style>\n"
        f'<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>\n'
        f"</head>\n<body>\n<header><h1>{title}</h1>"
        f'<p class="note">{_e(t["preview_note"])}</p></header>\n'
        f"{_at_a_glance(report, t)}\n{sections}\n"
        f'<footer class="note"><p>{_e(t["figures_from_sql"])}</p></footer>\n</body>\n</html>\n'
    )
