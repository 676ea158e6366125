"""Raw landing tables, from the Jira REST API or from Jira JSON exports."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import dagster as dg
from pydantic import Field

from ticket_analytics.defs.resources import JiraResource, WarehouseResource
from ticket_analytics.ingest.jira_sync import SyncOptions, sync_jira
from ticket_analytics.paths import sample_dir
from ticket_analytics.warehouse.file_ingest import ingest_files

RAW_ISSUES = dg.AssetKey(["raw", "issues"])
RAW_CHANGELOG = dg.AssetKey(["raw", "changelog"])
RAW_COMMENTS = dg.AssetKey(["raw", "comments"])
RAW_REJECTED = dg.AssetKey(["raw", "rejected_issues"])
_TABLES = {
    RAW_ISSUES: "issues",
    RAW_CHANGELOG: "changelog",
    RAW_COMMENTS: "comments",
    RAW_REJECTED: "rejected_issues",
}
_COUNTS = (
    "select 'issues', count(*) from raw.issues union all "
    "select 'changelog', count(*) from raw.changelog union all "
    "select 'comments', count(*) from raw.comments union all "
    "select 'rejected_issues', count(*) from raw.rejected_issues"
)


class RawJiraConfig(dg.Config):
    source: Literal["auto", "jira", "files"] = Field(
        default="auto",
        description="auto: the Jira API when JIRA_URL is set, else files. jira / files: force one.",
    )
    path: str = Field(
        default="",
        description="files: a Jira JSON export (file or directory); empty means the bundled "
        "sample tickets, generated on first use.",
    )
    full: bool = Field(default=False, description="jira: resync everything, not just changes.")
    reconcile_issue_ids: list[int] = Field(
        default=[],
        description="jira (Cloud): ids of issues this project just wrote to, read back with "
        "read-after-write consistency (reconcileIssues); at most 50.",
        max_length=50,
    )


def ensure_sample() -> Path:
    """The bundled sample tickets, generated once (6 months up to today, seed 7)."""
    directory = sample_dir()
    if not any(directory.glob("page-*.json")):
        from ticket_analytics.samples.generator import write_sample

        write_sample(directory, months=6, seed=7, until=datetime.now(UTC).date())
    return directory


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            RAW_ISSUES, description="One row per Jira issue: latest payload, source, fetch time."
        ),
        dg.AssetSpec(RAW_CHANGELOG, description="One row per changelog history of an issue."),
        dg.AssetSpec(
            RAW_COMMENTS, description="One row per issue comment, body flattened to text."
        ),
        dg.AssetSpec(
            RAW_REJECTED, description="Records that could not be loaded, with the reason."
        ),
    ],
    group_name="ingest",
)
def raw_jira(
    context: dg.AssetExecutionContext,
    config: RawJiraConfig,
    warehouse: WarehouseResource,
    jira: JiraResource,
) -> Iterator[dg.MaterializeResult]:
    """Land Jira issues, changelogs and comments in the raw tables.

    From the Jira REST API (incremental, page by page, nothing lost: see README) or from JSON
    exports. Idempotent: keyed by issue id, a newer `updated` wins; replays change nothing.
    """
    use_jira = config.source == "jira" or (config.source == "auto" and jira.is_configured)
    if use_jira:
        with jira.client() as client:
            stats = sync_jira(
                client,
                warehouse.connect,
                SyncOptions(
                    scope=jira.sync_scope(),
                    full=config.full,
                    reconcile_issue_ids=tuple(config.reconcile_issue_ids),
                ),
                progress=lambda message: context.log.info(message),
            )
        for note in stats.notes:
            context.log.warning(note)
        run_metadata: dict[str, object] = {"source": "jira", **stats.as_metadata()}
    else:
        source = Path(config.path) if config.path else ensure_sample()

        def progress(done: int, total: int, file: Path) -> None:
            if done == total or done % 10 == 0:
                context.log.info(f"parsed {done}/{total} files (last: {file.name})")

        with warehouse.connect() as conn:
            loaded = ingest_files(conn, source, progress=progress)
        run_metadata = {
            "source": "files",
            "path": str(source),
            "files": len(loaded.sources),
            **loaded.as_metadata(),
        }

    with warehouse.connect(read_only=True) as conn:
        counts = dict(conn.execute(_COUNTS).fetchall())
    for key, table in _TABLES.items():
        metadata = {"dagster/row_count": counts[table]}
        if key == RAW_ISSUES:
            metadata |= run_metadata
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)


@dg.asset_check(
    asset=RAW_ISSUES, description="Jira's count for each synced scope matches the warehouse (WARN)."
)
def jira_counts_match(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect(read_only=True) as conn:
        rows = conn.execute(
            "select scope, jira_count, warehouse_count from meta.jira_sync_state order by scope"
        ).fetchall()
    mismatched = [(scope, j, w) for scope, j, w in rows if j is not None and j != w]
    return dg.AssetCheckResult(
        passed=not mismatched,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "scopes": len(rows),
            "mismatches": dg.MetadataValue.md(
                "\n".join(f"- `{s}`: Jira {j}, warehouse {w}" for s, j, w in mismatched) or "none"
            ),
        },
    )
