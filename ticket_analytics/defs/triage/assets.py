"""Triage assets: the bot's decisions (it comments and labels in the tracker) and the
analyzer's verdicts that the documentation-gap models read."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

import dagster as dg
import duckdb
import polars as pl
from pydantic import Field

from ticket_analytics.defs.metadata import markdown_table
from ticket_analytics.defs.resources import LlmResource, WarehouseResource
from ticket_analytics.defs.triage.resources import TriageResource
from ticket_analytics.triage.analyzer import FieldResolver
from ticket_analytics.triage.pass_lock import lock_path, one_pass_at_a_time
from ticket_analytics.triage.records import action_counts, latency_percentiles, record_decisions
from ticket_analytics.triage.service import Decision, Mode, triage_pending
from ticket_analytics.triage.tracker import Tracker, TriageQuery
from ticket_analytics.triage.verdicts import refresh_verdicts

TRIAGE_DECISIONS = dg.AssetKey(["raw", "triage_decisions"])
TRIAGE_VERDICTS = dg.AssetKey(["raw", "triage_verdicts"])
TRIAGE_ANALYSES = dg.AssetKey(["raw", "triage_analyses"])
# The op behind `raw/triage_decisions`: where run config puts TriageConfig.
DECISIONS_OP = "raw__triage_decisions"
PREVIEW_ROWS = 20


class TriageConfig(dg.Config):
    keys: list[str] = Field(
        default=[],
        description="Tickets to triage (the sensor lists them); empty: whatever the tracker "
        "has pending now, up to the batch size (manual runs, `triage --once`).",
    )
    mode: str = Field(default="", description="live, dry-run or shadow; empty: TRIAGE_MODE")


def run_config(keys: Sequence[str], mode: str = "") -> dict[str, Any]:
    """Run config of a triage run over `keys` (the sensor's and the CLI's)."""
    return {"ops": {DECISIONS_OP: {"config": {"keys": list(keys), "mode": mode}}}}


@dg.asset(
    key=TRIAGE_DECISIONS,
    group_name="triage",
    kinds={"jira", "openai", "duckdb"},  # openai: the resolver, unless LLM_BACKEND=offline
    description="One row per ticket per triage pass: category, present and missing fields, "
    "what the bot did (commented, labelled, followed up, or nothing in dry-run/shadow), "
    "latency from ticket creation. The pass itself comments and labels in the tracker.",
)
def triage_decisions(
    context: dg.AssetExecutionContext,
    config: TriageConfig,
    triage: TriageResource,
    warehouse: WarehouseResource,
    llm: LlmResource,
) -> dg.MaterializeResult:
    """Triage the listed (or pending) tickets exactly once each, and record every decision.

    Jira is called with no warehouse connection open; the local tracker is the warehouse,
    so it runs on the run's own connection (runs stay the only writer).
    """
    mode = triage.run_mode(config.mode)
    query = triage.query()
    # A listed key may sit anywhere in what the sensor's poll saw, so look as far as it did.
    limit = triage.poll_limit if config.keys else triage.batch_size
    # dry-run and shadow passes write nothing to the tracker, so they need not wait
    exclusive = one_pass_at_a_time(lock_path(warehouse.file)) if mode == "live" else nullcontext()
    with exclusive:
        if triage.uses_jira:
            with triage.open() as tracker, _resolver(llm, warehouse, context.run_id) as resolver:
                decisions, gone = _triage(tracker, query, mode, config.keys, limit, resolver)
                tracker_name = tracker.name
            with warehouse.connect() as conn:
                record_decisions(conn, decisions, context.run_id)
        else:
            with (
                warehouse.connect() as conn,
                triage.open(conn) as tracker,
                _resolver(llm, warehouse, context.run_id, conn) as resolver,
            ):
                decisions, gone = _triage(tracker, query, mode, config.keys, limit, resolver)
                tracker_name = tracker.name
                record_decisions(conn, decisions, context.run_id)
    for decision in decisions:
        if decision.action == "dry_run" and decision.comment_text:
            context.log.info(f"{decision.key}: would post\n{decision.comment_text}")
        elif decision.action == "failed":
            context.log.warning(f"{decision.key}: failed, left unlabelled: {decision.error}")
    if decisions and all(d.action == "failed" for d in decisions):
        raise dg.Failure(
            f"every triage pass failed ({len(decisions)}), recorded; e.g. {decisions[0].error}"
        )
    return dg.MaterializeResult(metadata=_metadata(decisions, gone, mode, tracker_name))


def _triage(
    tracker: Tracker,
    query: TriageQuery,
    mode: Mode,
    keys: Sequence[str],
    limit: int,
    resolver: tuple[FieldResolver, str] | None,
) -> tuple[list[Decision], list[str]]:
    if resolver is None:
        return triage_pending(tracker, query, mode, keys=keys, limit=limit)
    resolve, backend = resolver
    return triage_pending(
        tracker, query, mode, keys=keys, limit=limit, resolver=resolve, backend=backend
    )


@contextmanager
def _resolver(
    llm: LlmResource,
    warehouse: WarehouseResource,
    run_id: str,
    conn: duckdb.DuckDBPyConnection | None = None,
) -> Iterator[tuple[FieldResolver, str] | None]:
    """The LLM for the fields the rules are unsure of; the offline backend needs none (the
    rules' documented default decides)."""
    if llm.is_offline:
        yield None
        return
    from ticket_analytics.triage.llm_resolver import FieldAnswers, llm_resolver, offline_answers

    with llm.client(warehouse.file, {FieldAnswers: offline_answers}, conn) as client:
        yield llm_resolver(client, run_id), f"{llm.backend}/{client.settings.map_model}"


def _metadata(
    decisions: Sequence[Decision], gone: Sequence[str], mode: str, tracker: str
) -> dict[str, Any]:
    latency = latency_percentiles(decisions)
    preview = pl.DataFrame(
        {
            "key": [d.key for d in decisions[:PREVIEW_ROWS]],
            "category": [d.category for d in decisions[:PREVIEW_ROWS]],
            "action": [d.action for d in decisions[:PREVIEW_ROWS]],
            "missing": [", ".join(d.missing) for d in decisions[:PREVIEW_ROWS]],
        },
        schema={"key": pl.String, "category": pl.String, "action": pl.String, "missing": pl.String},
    )
    return {
        "dagster/row_count": len(decisions),
        "mode": mode,
        "tracker": tracker,
        "actions": dg.MetadataValue.json(action_counts(decisions)),
        "latency_p50_s": latency["p50"],
        "latency_p95_s": latency["p95"],
        "no_longer_pending": dg.MetadataValue.json(list(gone)),
        "preview": dg.MetadataValue.md(markdown_table(preview)),
    }


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            TRIAGE_VERDICTS,
            deps=[dg.AssetKey("stg_jira__issues")],
            description="One row per ticket and required field of its category: present "
            "(with the evidence) or missing, as the triage analyzer reads the ticket.",
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            TRIAGE_ANALYSES,
            deps=[dg.AssetKey("stg_jira__issues")],
            description="One row per analysed ticket: category, missing count and the input "
            "hash that tells a changed ticket from one already analysed.",
            kinds={"duckdb"},
        ),
    ],
    # read by int_tickets__required_fields: built with the ticket models, before it
    group_name="intermediate",
)
def triage_verdicts(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    """The analyzer's verdicts for new and changed tickets only (offline rules, no LLM):
    the documentation-gap models read them, so they and the bot agree."""
    with warehouse.connect() as conn:
        if not _has_staging(conn):
            # Before the first build there is nothing to analyse; failing here would turn
            # every triage run red until then.
            context.log.warning("stg_jira__issues is not built yet: no verdicts to refresh")
            yield dg.MaterializeResult(asset_key=TRIAGE_VERDICTS, metadata={"skipped": True})
            yield dg.MaterializeResult(asset_key=TRIAGE_ANALYSES, metadata={"skipped": True})
            return
        refreshed = refresh_verdicts(conn)
        missing = conn.sql(
            "select field_id, count(*) as missing_tickets from raw.triage_verdicts"
            " where not is_present group by field_id order by missing_tickets desc, field_id"
            " limit 10"
        ).pl()
    yield dg.MaterializeResult(
        asset_key=TRIAGE_VERDICTS,
        metadata={
            "analysed_now": refreshed.analysed,
            "verdict_rows_written": refreshed.verdicts,
            "forgotten": refreshed.forgotten,
            "most_missing": dg.MetadataValue.md(markdown_table(missing)),
        },
    )
    yield dg.MaterializeResult(
        asset_key=TRIAGE_ANALYSES, metadata={"dagster/row_count": refreshed.total}
    )


def _has_staging(conn: duckdb.DuckDBPyConnection) -> bool:
    rows = conn.execute(
        "select count(*) from information_schema.tables"
        " where table_schema = 'main' and table_name = 'stg_jira__issues'"
    ).fetchall()
    return bool(rows[0][0])
