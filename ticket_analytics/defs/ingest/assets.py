"""Raw landing tables, loaded from Jira JSON exports (the bundled sample by default)."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from pydantic import Field

from ticket_analytics.defs.resources import WarehouseResource
from ticket_analytics.paths import SAMPLE_DIR
from ticket_analytics.warehouse.file_ingest import ingest_files

RAW_ISSUES = dg.AssetKey(["raw", "issues"])
RAW_CHANGELOG = dg.AssetKey(["raw", "changelog"])
RAW_COMMENTS = dg.AssetKey(["raw", "comments"])
RAW_REJECTED = dg.AssetKey(["raw", "rejected_issues"])


class JiraFilesConfig(dg.Config):
    path: str = Field(
        default="",
        description="A Jira JSON export (file or directory). Empty: the bundled sample data, "
        "generated on first use.",
    )


def ensure_sample(directory: Path = SAMPLE_DIR) -> Path:
    """The bundled sample tickets, generated once (6 months up to today, seed 7)."""
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
def raw_jira_files(
    context: dg.AssetExecutionContext, config: JiraFilesConfig, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    """Load Jira search pages, issues, comment pages or NDJSON into the raw tables.

    Idempotent: keyed by issue id, a newer `updated` wins, and replaying a load changes nothing.
    """
    source = Path(config.path) if config.path else ensure_sample()

    def progress(done: int, total: int, file: Path) -> None:
        if done == total or done % 10 == 0:
            context.log.info(f"parsed {done}/{total} files (last: {file.name})")

    with warehouse.connect() as conn:
        stats = ingest_files(conn, source, progress=progress)
        counts = dict(
            conn.execute(
                "select 'issues', count(*) from raw.issues union all "
                "select 'changelog', count(*) from raw.changelog union all "
                "select 'comments', count(*) from raw.comments union all "
                "select 'rejected_issues', count(*) from raw.rejected_issues"
            ).fetchall()
        )
    load_metadata = {**stats.as_metadata(), "files": len(stats.sources), "path": str(source)}
    for key, table in (
        (RAW_ISSUES, "issues"),
        (RAW_CHANGELOG, "changelog"),
        (RAW_COMMENTS, "comments"),
        (RAW_REJECTED, "rejected_issues"),
    ):
        metadata = {"dagster/row_count": counts[table]}
        if key == RAW_ISSUES:
            metadata |= load_metadata
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)
