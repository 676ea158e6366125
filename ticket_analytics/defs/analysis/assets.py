"""The monthly LLM analysis: a cheap model reads each batch of a month's tickets (map), a
strong model writes the month's insights once (reduce). Every number comes from SQL."""

import dataclasses
from typing import Any

import dagster as dg
import duckdb

from ticket_analytics.analysis.mapper import (
    analyse_batch,
    batch_tickets,
    map_status,
    save_insights,
)
from ticket_analytics.analysis.offline import offline_handlers
from ticket_analytics.analysis.reducer import (
    MonthIncompleteError,
    ask_reduce,
    compose_report,
    prepare_reduce,
)
from ticket_analytics.analysis.report import MonthlyReport, format_figure, report_to_json
from ticket_analytics.defs.analysis.partitions import BATCHES_OF_MONTH, MONTH_BATCHES
from ticket_analytics.defs.analysis.resources import ReportResource
from ticket_analytics.defs.metadata import markdown_table
from ticket_analytics.defs.models.partitions import MONTHLY
from ticket_analytics.defs.resources import JiraResource, LlmResource, WarehouseResource
from ticket_analytics.defs.selections import ANALYSIS
from ticket_analytics.paths import atomic_write, reports_dir
from ticket_analytics.publish.dry_run import write_dry_run

LLM_TICKET_INSIGHTS = dg.AssetKey(["raw", "llm_ticket_insights"])
# Every LLM run of a backfill shares this pool: its limit (`dagster instance concurrency set
# llm 2`, or the UI) caps how many call a provider at once, whatever the run queue holds.
LLM_POOL = "llm"
_SPEND = """
    select
        count(*) filter (where outcome <> 'cached') as calls,
        count(*) filter (where outcome = 'cached') as cache_hits,
        coalesce(sum(prompt_tokens), 0) as prompt_tokens,
        coalesce(sum(completion_tokens), 0) as completion_tokens,
        coalesce(sum(cost_usd), 0) as cost_usd
    from raw.llm_calls
    where run_id = ? and partition_key = ?
"""


def _spend(conn: duckdb.DuckDBPyConnection, run_id: str, partition: str) -> dict[str, Any]:
    relation = conn.execute(_SPEND, [run_id, partition])
    names = [d[0] for d in relation.description or []]
    values = relation.fetchall()[0]
    spend = dict(zip(names, values, strict=True))
    spend["cost_usd"] = dg.MetadataValue.float(round(float(spend["cost_usd"]), 6))
    return spend


@dg.asset(
    key=LLM_TICKET_INSIGHTS,
    group_name=ANALYSIS,
    partitions_def=MONTH_BATCHES,
    deps=[dg.AssetKey("stg_jira__issues")],
    kinds={"openai", "duckdb"},
    pool=LLM_POOL,
)
def llm_ticket_insights(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, llm: LlmResource
) -> dg.MaterializeResult:
    """Per ticket of a month's batch (≤ 50 tickets, cheap model): category (catalog ids),
    sub-theme, whether it is toil and why, an automation idea, the category's missing
    information and a one-line summary. Its category overrides the keyword rules in
    `fct_tickets`. A batch the month does not need completes at once, empty."""
    keys = context.partition_key.keys_by_dimension
    month, batch = keys["month"], keys["batch"]
    # No connection is held while the model answers: the ledger opens its own, briefly.
    with warehouse.connect(read_only=True) as conn:
        tickets = batch_tickets(conn, month, batch)
    with llm.client(warehouse.file, offline_handlers()) as client:
        insights = analyse_batch(client, tickets, month, batch, context.run_id)
    with warehouse.connect() as conn:
        save_insights(conn, month, batch, insights)
        spend = _spend(conn, context.run_id, f"{month}|{batch}")
    preview = [
        {"key": i.issue_key, "category": i.category, "toil": i.is_toil, "summary": i.summary}
        for i in insights[:10]
    ]
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(insights),
            "tickets": len(tickets),
            "toil_tickets": sum(i.is_toil for i in insights),
            **spend,
            "preview": dg.MetadataValue.md(_preview_table(preview)),
        }
    )


def _preview_table(rows: list[dict[str, Any]]) -> str:
    import polars as pl

    return markdown_table(pl.DataFrame(rows)) if rows else "_empty batch_"


@dg.asset(
    group_name=ANALYSIS,
    partitions_def=MONTHLY,
    deps=[
        dg.AssetDep(LLM_TICKET_INSIGHTS, partition_mapping=BATCHES_OF_MONTH),
        dg.AssetKey("fct_monthly_ops"),
        dg.AssetKey("fct_incident_trends"),
        dg.AssetKey("fct_toil_candidates"),
        dg.AssetKey("fct_documentation_gaps"),
    ],
    kinds={"openai", "json"},
    pool=LLM_POOL,
)
def monthly_report(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    llm: LlmResource,
    report: ReportResource,
    jira: JiraResource,
) -> dg.MaterializeResult:
    """The month's insights (strong model, once): executive summary, toil to automate first,
    incident trends, documentation gaps and what changed since last month. Figures are SQL's;
    the model's prose may only point at them, and ticket keys it cites must exist in the month.
    Writes reports/monthly/YYYY-MM.json and the page, preview and Slack files beside it."""
    month = context.partition_key
    language = report.checked_language()
    with warehouse.connect(read_only=True) as conn:
        try:
            facts = prepare_reduce(conn, month, language)
        except MonthIncompleteError as exc:
            raise dg.Failure(f"{month}: {exc}") from None
        edited = map_status(conn, month).edited
    if edited:
        context.log.info(
            f"{month}: batch(es) {', '.join(edited)} hold tickets edited since they were "
            "mapped; their insights are from before the edit (`ticket-analytics report "
            f"--month {month}` maps them again)"
        )
    with llm.client(warehouse.file, offline_handlers()) as client:
        answer = ask_reduce(client, month, language, facts, context.run_id)
    monthly = dataclasses.replace(
        compose_report(month, language, facts, answer), title=report.title(month)
    )
    # ticket keys link to Jira when it is configured (the same page confluence_page publishes)
    files = write_dry_run(monthly, reports_dir(), jira_base_url=jira.url or None)
    files["report"] = atomic_write(report_path(month), report_to_json(monthly))
    with warehouse.connect(read_only=True) as conn:
        spend = _spend(conn, context.run_id, month)
    return dg.MaterializeResult(
        metadata={
            **{f"{kind}_file": dg.MetadataValue.path(str(path)) for kind, path in files.items()},
            "map_batches_edited_since": len(edited),
            "dropped_keys": len(monthly.dropped_keys),
            "dropped_examples": ", ".join(monthly.dropped_keys[:5]),
            "authors": dg.MetadataValue.json(monthly.authors),
            "cache_hit": answer.cache_hit,
            **spend,
            "preview": dg.MetadataValue.md(preview_markdown(monthly)),
        }
    )


def report_path(month: str) -> Any:
    return reports_dir() / "monthly" / f"{month}.json"


def preview_markdown(monthly: MonthlyReport) -> str:
    """The headline figures and the summary as the UI shows them (prose slots filled)."""
    import html

    slots = monthly.slots
    lines = [f"**{html.escape(monthly.title)}**", ""]
    lines += [f"- {html.escape(f.label)}: {format_figure(f)}" for f in monthly.headline]
    summary = monthly.prose.get("executive_summary", "")
    for key, value in slots.items():
        summary = summary.replace("{" + key + "}", value)
    return "\n".join([*lines, "", html.escape(summary)])
