"""Publishing the monthly report: a Confluence page created or updated in place, one Slack
message per publication. Both are side effects, taken only when a run's config asks."""

from typing import Any

import dagster as dg
from pydantic import Field

from ticket_analytics.analysis.report import MonthlyReport, report_from_json
from ticket_analytics.defs.analysis.assets import monthly_report, report_path
from ticket_analytics.defs.analysis.resources import (
    ConfluenceResource,
    ReportResource,
    SlackResource,
)
from ticket_analytics.defs.models.partitions import MONTHLY
from ticket_analytics.defs.resources import JiraResource
from ticket_analytics.defs.selections import ANALYSIS
from ticket_analytics.integrations.confluence import publish_page
from ticket_analytics.publish.monthly_page import render_storage
from ticket_analytics.publish.slack_message import choose_message, fingerprint

CONFLUENCE_PAGE = dg.AssetKey("confluence_page")


class PublishConfig(dg.Config):
    publish: bool = Field(
        default=False,
        description="Create or update the Confluence page and post to Slack. Off: the page, "
        "preview and Slack payload stay files under reports/ (what a dry run leaves).",
    )


def _not_published(asked: bool, configured: bool, service: str, monthly: MonthlyReport) -> str:
    """Why the report stays a file ('' when it is published): a month without a ticket is a
    wrong month or a broken ingest, never news for the whole team."""
    if not asked:
        return "not asked to publish"
    if not configured:
        return f"{service} is not configured"
    created = next((f.value for f in monthly.figures if f.key == "created_count"), None)
    return "" if created else f"{monthly.month} has no tickets"


def _load(month: str) -> MonthlyReport:
    path = report_path(month)
    if not path.exists():
        raise dg.Failure(f"{path} is missing: materialize monthly_report for {month} first")
    return report_from_json(path.read_bytes())


def _latest_metadata(
    context: dg.AssetExecutionContext, key: dg.AssetKey, month: str
) -> dict[str, Any]:
    records = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=[month]), limit=1
    ).records
    if not records or records[0].asset_materialization is None:
        return {}
    return {k: v.value for k, v in records[0].asset_materialization.metadata.items()}


@dg.asset(
    group_name=ANALYSIS,
    partitions_def=MONTHLY,
    deps=[monthly_report],
    kinds={"confluence"},
)
def confluence_page(
    context: dg.AssetExecutionContext,
    config: PublishConfig,
    report: ReportResource,
    confluence: ConfluenceResource,
    jira: JiraResource,
) -> dg.MaterializeResult:
    """The month's page in Confluence (storage format, `Ops Monthly Report YYYY-MM`): found by
    title in the space and updated in place (version + 1), never a second page. Ticket keys
    link to Jira when `JIRA_URL` is set."""
    month = context.partition_key
    monthly = _load(month)
    body = render_storage(monthly, jira_base_url=jira.url or None)
    metadata: dict[str, Any] = {"title": monthly.title, "fingerprint": fingerprint(body)}
    reason = _not_published(config.publish, confluence.is_configured, "Confluence", monthly)
    if reason:
        context.log.info(f"{monthly.title}: not published ({reason}); the page is a file")
        return dg.MaterializeResult(metadata={**metadata, "published": False, "reason": reason})
    with confluence.client() as client:
        page = publish_page(
            client, confluence.space_key, report.title(month), body, confluence.parent_id or None
        )
    context.log.info(
        f"{page.title}: {'created' if page.created else 'unchanged' if page.unchanged else 'updated'}"
        f" (version {page.version})"
    )
    return dg.MaterializeResult(
        metadata={
            **metadata,
            "published": True,
            "url": dg.MetadataValue.url(page.url),
            "page_id": page.id,
            "version": page.version,
            "created": page.created,
            "unchanged": page.unchanged,
        }
    )


@dg.asset(
    group_name=ANALYSIS,
    partitions_def=MONTHLY,
    deps=[confluence_page],
    kinds={"slack"},
)
def slack_announcement(
    context: dg.AssetExecutionContext,
    config: PublishConfig,
    slack: SlackResource,
    jira: JiraResource,
) -> dg.MaterializeResult:
    """One Slack message per publication (header, key numbers, top toil, the page link): the
    first publication posts the full message, an unchanged re-run nothing, a changed page one
    short "updated" note."""
    month = context.partition_key
    monthly = _load(month)
    body = render_storage(monthly, jira_base_url=jira.url or None)
    page = _latest_metadata(context, CONFLUENCE_PAGE, month)
    announced = _latest_metadata(context, context.asset_key, month)
    previous = announced.get("announced_fingerprint")
    reason = _not_published(config.publish, slack.is_configured, "Slack", monthly)
    if reason:
        # keep what was announced, so a later publication compares with it
        kept = {"announced_fingerprint": previous} if previous else {}
        return dg.MaterializeResult(metadata={"posted": False, "reason": reason, **kept})
    url = page.get("url")
    message = choose_message(
        monthly,
        storage_body=body,
        previous_fingerprint=str(previous) if previous else None,
        page_url=str(url) if url else None,
    )
    if message is None:
        return dg.MaterializeResult(
            metadata={"posted": False, "reason": "unchanged", "announced_fingerprint": previous}
        )
    with slack.client() as client:
        posted = client.post(message)
    return dg.MaterializeResult(
        metadata={
            "posted": True,
            "kind": "first" if previous is None else "updated",
            "via": posted.via,
            "announced_fingerprint": fingerprint(body),
        }
    )
