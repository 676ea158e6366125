"""Business events from application logs, and infrastructure metrics, into the raw tables."""

import html
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl
from pydantic import Field

from ticket_analytics.bizlogs import (
    BizLogConfig,
    IngestStats,
    TagCardinality,
    import_infra_path,
    ingest_logs,
)
from ticket_analytics.defs.bizmetrics.resources import BizLogsResource
from ticket_analytics.defs.bizmetrics.sources import infra_path, logs_path
from ticket_analytics.defs.metadata import markdown_table
from ticket_analytics.defs.resources import WarehouseResource
from ticket_analytics.defs.selections import BIZMETRICS

RAW_BIZ_EVENTS = dg.AssetKey(["raw", "biz_events"])
RAW_BIZ_REJECTS = dg.AssetKey(["raw", "biz_event_rejects"])
RAW_INFRA_METRICS = dg.AssetKey(["raw", "infra_metrics"])
TAG_CARDINALITY = dg.AssetKey(["meta", "biz_tag_cardinality"])
BIZ_EVENTS_OP = "raw_biz_events"
_COUNTS = (
    "select (select count(*) from raw.biz_events), (select count(*) from raw.biz_event_rejects)"
)


class BizEventsConfig(dg.Config):
    path: str = Field(
        default="",
        description="Log file or directory (plain, gzip, JSON lines, mixed). Empty: "
        "TA_BIZ_LOGS, else the demo's sample logs, generated on first use.",
    )
    hash_keys: list[str] = Field(
        default=list(BizLogConfig.hash_keys),
        description="Tag keys stored as a salted sha256 prefix (one user stays one value, "
        "an email never lands).",
    )
    drop_keys: list[str] = Field(default=[], description="Tag keys never stored.")
    max_distinct_per_hour: int = Field(
        default=BizLogConfig.max_distinct_per_hour,
        description="A tag with more distinct values in any hour stays in raw but is no "
        "metric dimension (every value would be a custom metric series). Every key is "
        "decided again under this limit on each run.",
    )


class InfraMetricsConfig(dg.Config):
    path: str = Field(
        default="",
        description="Prometheus query_range JSON or ts,host,metric,value CSV (file or "
        "directory). Empty: TA_INFRA_METRICS, else the demo sample when the logs are the "
        "demo's too, else nothing.",
    )


def _md_table(header: tuple[str, ...], rows: Sequence[Sequence[object]]) -> str:
    # Tag keys and reasons come from the logs: the shared renderer escapes them.
    if not rows:
        return "_none_"
    return markdown_table(pl.DataFrame(rows, schema=list(header), orient="row"))


_REASONS = {"hashed": "hashed", "over_limit": "over the limit in some hour"}


def _keys(tags: Sequence[TagCardinality]) -> str:
    # tag keys come from the logs: no backtick may end the code span early
    return ", ".join(f"`{html.escape(t.tag_key.replace('`', ''))}`" for t in tags)


def _excluded_note(stats: IngestStats) -> str:
    excluded = [t for t in stats.tag_cardinality if not t.is_dimension]
    if not excluded:
        return "Every tag key is a metric dimension (within the per-hour limit, not hashed)."
    by_reason = [
        f"{label}: {_keys([t for t in excluded if t.exclusion_reason == reason])}"
        for reason, label in _REASONS.items()
        if any(t.exclusion_reason == reason for t in excluded)
    ]
    return (
        "Left out of metric dimensions (fct_biz_metrics_by_tag, the Datadog tags) — "
        + "; ".join(by_reason)
        + ". They stay in `raw.biz_events.tags`."
    )


def _guard_table(stats: IngestStats) -> str:
    return _md_table(
        ("tag", "max distinct per hour", "limit", "dimension"),
        [
            (
                t.tag_key,
                t.max_distinct_per_hour,
                t.distinct_limit_per_hour,
                "yes" if t.exclusion_reason is None else f"no, {_REASONS[t.exclusion_reason]}",
            )
            for t in stats.tag_cardinality
        ],
    )


def _events_metadata(stats: IngestStats, path: Path, total: int) -> dict[str, Any]:
    return {
        "dagster/row_count": total,
        "path": dg.MetadataValue.path(str(path)),
        **stats.as_metadata(),
        "rejects_by_reason": dg.MetadataValue.md(
            _md_table(("reason", "lines"), sorted(stats.rejects_by_reason.items()))
        ),
        "excluded_tags_note": dg.MetadataValue.md(_excluded_note(stats)),
        "tag_cardinality": dg.MetadataValue.md(_guard_table(stats)),
    }


def _guard_metadata(stats: IngestStats, limit: int) -> dict[str, Any]:
    kept = [t.tag_key for t in stats.tag_cardinality if t.is_dimension]
    return {
        "dagster/row_count": len(stats.tag_cardinality),
        "max_distinct_per_hour": limit,
        "dimension_tags": ", ".join(kept) or "none",
        "excluded_tags": ", ".join(stats.excluded_tags) or "none",
        "excluded_tags_note": dg.MetadataValue.md(_excluded_note(stats)),
        "tag_cardinality": dg.MetadataValue.md(_guard_table(stats)),
    }


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            RAW_BIZ_EVENTS,
            description="One row per business event (a log line carrying the BIZ_METRIC or "
            "JSON `biz` marker): event, UTC time, service, value and unit, status, tags, and "
            "the file, stream and line it came from.",
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            RAW_BIZ_REJECTS,
            description="Marker lines that could not become events, with the reason, file, "
            "line number and a sample: counted, never silently dropped.",
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            TAG_CARDINALITY,
            description="The cardinality guard: per free tag key, its most distinct values "
            "in one hour, the limit, whether it is hashed, and whether metrics may group by "
            "it. A hashed key, or one over the limit in any hour, stays in raw.biz_events "
            "but is no metric dimension: each value would be a billed custom metric series.",
            kinds={"duckdb"},
        ),
    ],
    group_name=BIZMETRICS,
    name=BIZ_EVENTS_OP,
)
def raw_biz_events(
    context: dg.AssetExecutionContext,
    config: BizEventsConfig,
    warehouse: WarehouseResource,
    bizlogs: BizLogsResource,
) -> Iterator[dg.MaterializeResult]:
    """Read what is new in the application logs into raw.biz_events (incremental).

    A checkpoint per file stream (path, inode, size, offset, a hash of the first bytes)
    commits with each batch of events, so appended, rotated, truncated and re-compressed
    files are read once each, and a second run over the same files adds nothing.
    """
    path = logs_path(config.path)
    settings = BizLogConfig(
        hash_keys=tuple(config.hash_keys),
        drop_keys=tuple(config.drop_keys),
        hash_salt=bizlogs.hash_salt,
        max_distinct_per_hour=config.max_distinct_per_hour,
    )

    def progress(file: str, offset: int) -> None:
        context.log.info(f"{file}: read up to byte {offset:,}")

    with warehouse.connect() as conn:
        stats = ingest_logs(conn, path, settings, progress=progress)
        events, rejects = conn.execute(_COUNTS).fetchall()[0]
    for file in stats.files_unreadable:
        context.log.warning(f"{file}: not readable yet (a gzip still being written?); next run")
    if stats.rejects:
        context.log.warning(
            f"{stats.rejects:,} marker lines rejected: "
            + ", ".join(f"{reason} {count:,}" for reason, count in stats.rejects_by_reason.items())
        )
    yield dg.MaterializeResult(
        asset_key=RAW_BIZ_EVENTS, metadata=_events_metadata(stats, path, int(events))
    )
    yield dg.MaterializeResult(
        asset_key=RAW_BIZ_REJECTS,
        metadata={
            "dagster/row_count": int(rejects),
            "new_rejects": stats.rejects,
            "rejects_by_reason": dg.MetadataValue.md(
                _md_table(("reason", "lines"), sorted(stats.rejects_by_reason.items()))
            ),
        },
    )
    yield dg.MaterializeResult(
        asset_key=TAG_CARDINALITY, metadata=_guard_metadata(stats, settings.max_distinct_per_hour)
    )


@dg.asset(
    key=RAW_INFRA_METRICS,
    group_name=BIZMETRICS,
    kinds={"duckdb"},
)
def raw_infra_metrics(
    context: dg.AssetExecutionContext, config: InfraMetricsConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Infrastructure metrics (CPU, error rate…) per host and time, from Prometheus
    `query_range` JSON (matrix results) or a `ts,host,metric,value` CSV. Idempotent:
    keyed by metric, host, labels and time, so re-importing a file changes nothing."""
    path = infra_path(config.path)
    if path is None:
        context.log.info("no infra metrics configured (TA_INFRA_METRICS): nothing to import")
        with warehouse.connect() as conn:
            total = conn.execute("select count(*) from raw.infra_metrics").fetchall()[0][0]
        return dg.MaterializeResult(metadata={"dagster/row_count": int(total), "files": 0})
    with warehouse.connect() as conn:
        stats = import_infra_path(conn, path)
        total = conn.execute("select count(*) from raw.infra_metrics").fetchall()[0][0]
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": int(total),
            "path": dg.MetadataValue.path(str(path)),
            **stats.as_metadata(),
        }
    )


# the op's name is what run config addresses (derived from the key: raw__infra_metrics)
INFRA_OP = raw_infra_metrics.op.name
