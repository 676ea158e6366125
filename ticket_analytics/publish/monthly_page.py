"""The monthly report as one Confluence page in storage format.

Fixed text comes from ``texts`` in the report's language; figures from the report's SQL
numbers; prose from the reduce with its ``{slot}`` references filled. Everything that is
not our own markup goes through ``storage.escape``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ticket_analytics.analysis.report import SECTIONS, DocumentationGap, MonthlyReport
from ticket_analytics.publish import storage as s
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

__all__ = ["render_storage"]


def render_storage(report: MonthlyReport, *, jira_base_url: str | None = None) -> str:
    """The page body; equal reports give equal bytes (the Slack fingerprint relies on it)."""
    t = texts(report.language)
    parts = [
        _at_a_glance(report, t),
        _section(t["executive_summary"], _prose(report, "executive_summary")),
        _categories(report, t),
        _toil(report, t, jira_base_url),
        _incidents(report, t, jira_base_url),
        _documentation_gaps(report, t),
        _changes(report, t),
        s.expand(
            t["about"], s.concat([s.paragraph(t["figures_from_sql"]), s.paragraph(t["basis_note"])])
        ),
    ]
    return str(s.concat(parts))


def _section(title: str, *content: str) -> s.Markup:
    return s.concat([s.heading(2, title), *content])


def _prose(report: MonthlyReport, section: str) -> s.Markup:
    text = prose(report, section)
    return s.concat(s.paragraph(block.strip()) for block in text.split("\n\n") if block.strip())


def _nothing(t: Mapping[str, str]) -> s.Markup:
    return s.paragraph(t["no_data"])


def _keys(keys: Sequence[str], jira_base_url: str | None) -> s.Markup:
    links: list[str] = []
    for key in keys:
        url = issue_url(jira_base_url, key)
        links.append(s.link(url, key) if url else s.escape(key))
    return s.Markup(", ".join(links))


def _at_a_glance(report: MonthlyReport, t: Mapping[str, str]) -> s.Markup:
    figures = s.bullet_list(
        s.concat([s.strong(f.label), ": ", with_unit(f.value, f.unit)]) for f in report.headline
    )
    authors = [
        s.concat([t[section], ": ", report.authors[section]])
        for section in SECTIONS
        if section in report.authors
    ]
    body: list[str] = [figures]
    if authors:
        body += [s.paragraph(s.strong(t["written_by"])), s.bullet_list(authors)]
    if report.dropped_keys:
        body.append(
            s.paragraph(
                f"{t['dropped_keys']}: {len(report.dropped_keys)} — "
                + ", ".join(report.dropped_keys)
            )
        )
    return s.info_panel(t["at_a_glance"], s.concat(body))


def _categories(report: MonthlyReport, t: Mapping[str, str]) -> s.Markup:
    rows = report.categories
    if not rows:
        return _section(t["categories"], _nothing(t))
    chart = s.chart(
        t["categories"],
        [t["category"], t["tickets"], t["delivered"]],
        [(r.label, (r.tickets, r.delivered)) for r in rows],
        y_label=t["tickets"],
    )
    data = s.table(
        [t["category"], t["tickets"], t["delivered"], t["p50_lead_time"]],
        [
            (r.label, number(r.tickets), number(r.delivered), number(r.p50_lead_time_hours))
            for r in rows
        ],
    )
    return _section(t["categories"], chart, data)


def _toil(report: MonthlyReport, t: Mapping[str, str], jira_base_url: str | None) -> s.Markup:
    if not report.toil:
        return _section(t["toil"], _prose(report, "toil"), _nothing(t))
    headers = [
        "#",
        t["request"],
        t["category"],
        t["tickets"],
        t["hours_saved"],
        t["basis"],
        t["recommendation"],
        t["examples"],
    ]
    slots = report.slots
    rows: Iterable[Sequence[str]] = (
        (
            str(rank),
            item.request_template,
            category_label(report, item.category),
            number(item.tickets_in_month),
            number(item.hours_saved_per_month),
            basis_label(report.language, item.hours_basis),
            fill_slots(item.recommendation, slots),
            _keys(item.example_keys, jira_base_url),
        )
        for rank, item in enumerate(report.toil, start=1)
    )
    return _section(
        t["toil"], _prose(report, "toil"), s.table(headers, rows), s.paragraph(t["basis_note"])
    )


def _incidents(report: MonthlyReport, t: Mapping[str, str], jira_base_url: str | None) -> s.Markup:
    trends = report.incidents
    if not trends:
        return _section(t["incidents"], _prose(report, "incidents"), _nothing(t))
    chart = s.chart(
        t["incidents"],
        [t["service"], t["incident_count"], t["repeats"]],
        [(i.service, (i.incidents, i.repeats_within_30_days)) for i in trends],
    )
    data = s.table(
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
    )
    return _section(t["incidents"], _prose(report, "incidents"), chart, data)


def _documentation_gaps(report: MonthlyReport, t: Mapping[str, str]) -> s.Markup:
    gaps = report.documentation_gaps
    if not gaps:
        return _section(t["documentation_gaps"], _prose(report, "documentation_gaps"), _nothing(t))
    by_category: dict[str, list[DocumentationGap]] = {}
    for gap in gaps:
        by_category.setdefault(gap.category, []).append(gap)
    parts: list[str] = [_prose(report, "documentation_gaps")]
    for category, rows in by_category.items():
        parts.append(s.heading(3, category_label(report, category)))
        parts.append(
            s.table(
                [t["field"], t["missing_tickets"], t["missing_share"]],
                [(g.field_label, number(g.tickets), percent(g.missing_share)) for g in rows],
            )
        )
    return _section(t["documentation_gaps"], *parts)


def _changes(report: MonthlyReport, t: Mapping[str, str]) -> s.Markup:
    if not report.changes:
        return _section(t["changes"], _prose(report, "changes"), _nothing(t))
    data = s.table(
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
    return _section(t["changes"], _prose(report, "changes"), data)
