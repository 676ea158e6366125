"""The map: one insight per ticket, the category's own missing fields, idempotent writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
import pytest
from analysis_support import MONTH, map_month, offline_client

from ticket_analytics.analysis.batches import BatchConfig
from ticket_analytics.analysis.mapper import (
    MapIncompleteError,
    analyse_batch,
    map_status,
    missing_batches,
    plan_batches,
    save_insights,
)
from ticket_analytics.analysis.offline import answer_map
from ticket_analytics.analysis.schemas import FIELDS_BY_CATEGORY, MapAnswer, TicketInsightAnswer
from ticket_analytics.catalog import default_catalog

ROWS = (
    "select * exclude (analysed_at) from raw.llm_ticket_insights where month = ? order by issue_id"
)


def test_every_ticket_of_the_month_gets_one_row(mapped: duckdb.DuckDBPyConnection) -> None:
    planned = sorted(t.issue_id for b in plan_batches(mapped, MONTH).values() for t in b)
    stored = [r[0] for r in mapped.execute(ROWS, [MONTH]).fetchall()]
    assert stored == planned
    assert missing_batches(mapped, MONTH) == []


def test_mapping_a_month_again_rewrites_the_same_rows(mapped: duckdb.DuckDBPyConnection) -> None:
    before = mapped.execute(ROWS, [MONTH]).fetchall()
    map_month(mapped, offline_client(mapped), MONTH)
    assert mapped.execute(ROWS, [MONTH]).fetchall() == before


def test_missing_fields_are_only_the_categorys_own(mapped: duckdb.DuckDBPyConnection) -> None:
    rows = mapped.execute("select category, missing_fields from raw.llm_ticket_insights").fetchall()
    assert any(fields for _, fields in rows)
    for category, fields in rows:
        assert set(fields) <= FIELDS_BY_CATEGORY[category], (category, fields)


def test_a_models_foreign_field_ids_are_dropped_not_refused() -> None:
    answer = TicketInsightAnswer.model_validate(
        {
            "key": "OPS-1",
            "category": "access_request",
            "sub_theme": "vpn",
            "is_toil": True,
            "toil_reason": "recurring",
            "automation_idea": "form",
            "missing_information": ["db_engine", "justification", "pod_spec", "justification"],
            "summary": "vpn access",
        }
    )
    assert [f.value for f in answer.missing_information] == ["justification"]


def test_a_deleted_batch_row_makes_its_batch_missing(mapped: duckdb.DuckDBPyConnection) -> None:
    batch, tickets = next((k, v) for k, v in plan_batches(mapped, MONTH).items() if v)
    mapped.execute(
        "delete from raw.llm_ticket_insights where issue_id = ? and month = ?",
        [tickets[0].issue_id, MONTH],
    )
    assert missing_batches(mapped, MONTH) == [batch]


def test_a_batch_whose_tickets_were_never_mapped_is_missing(
    built: duckdb.DuckDBPyConnection,
) -> None:
    used = [k for k, v in plan_batches(built, MONTH).items() if v]
    assert missing_batches(built, MONTH) == used


def test_a_batch_left_empty_by_deleted_tickets_is_missing_until_cleared(
    built: duckdb.DuckDBPyConnection,
) -> None:
    """Deleting tickets can leave the month one batch fewer: the emptied batch's rows (of
    tickets gone since) must be cleared, or the reduce counts tickets that are no more."""
    config = BatchConfig(max_tickets=10)  # several batches from the sample month
    client = offline_client(built)

    def map_missing() -> None:
        plan = plan_batches(built, MONTH, config)
        for batch in missing_batches(built, MONTH, config):
            insights = analyse_batch(client, plan[batch], MONTH, batch, "t")
            save_insights(built, MONTH, batch, insights)

    map_missing()
    last = max(k for k, v in plan_batches(built, MONTH, config).items() if v)
    for ticket in plan_batches(built, MONTH, config)[last]:
        built.execute(
            "update raw.issues set deleted_at = now() where issue_id = ?", [ticket.issue_id]
        )
    assert not plan_batches(built, MONTH, config)[last]
    assert last in map_status(built, MONTH, config).missing

    map_missing()
    assert missing_batches(built, MONTH, config) == []
    live = sorted(t.issue_id for v in plan_batches(built, MONTH, config).values() for t in v)
    assert [r[0] for r in built.execute(ROWS, [MONTH]).fetchall()] == live


def test_a_ticket_the_model_skips_is_asked_for_again(built: duckdb.DuckDBPyConnection) -> None:
    calls: list[int] = []

    def forgetful(messages: Sequence[Mapping[str, str]]) -> MapAnswer:
        full = answer_map(messages, default_catalog())
        calls.append(len(full.tickets))
        return MapAnswer(tickets=full.tickets[1:] if len(calls) == 1 else full.tickets)

    batch, tickets = next((k, v) for k, v in plan_batches(built, MONTH).items() if v)
    client = offline_client(built, {MapAnswer: forgetful})
    insights = analyse_batch(client, tickets, MONTH, batch, "t")
    assert [i.issue_id for i in insights] == [t.issue_id for t in tickets]
    assert calls == [len(tickets), 1]


def test_a_ticket_the_model_never_answers_fails_the_batch(built: duckdb.DuckDBPyConnection) -> None:
    def skips_first(messages: Sequence[Mapping[str, str]]) -> MapAnswer:
        full = answer_map(messages, default_catalog())
        return MapAnswer(tickets=full.tickets[1:])

    batch, tickets = next((k, v) for k, v in plan_batches(built, MONTH).items() if v)
    with pytest.raises(MapIncompleteError, match=tickets[0].issue_key):
        analyse_batch(offline_client(built, {MapAnswer: skips_first}), tickets, MONTH, batch, "t")


def test_answers_for_keys_outside_the_batch_are_ignored(built: duckdb.DuckDBPyConnection) -> None:
    def inventive(messages: Sequence[Mapping[str, str]]) -> MapAnswer:
        full = answer_map(messages, default_catalog())
        extra = full.tickets[0].model_copy(update={"key": "OPS-999999"})
        return MapAnswer(tickets=[extra, *full.tickets])

    batch, tickets = next((k, v) for k, v in plan_batches(built, MONTH).items() if v)
    insights = analyse_batch(
        offline_client(built, {MapAnswer: inventive}), tickets, MONTH, batch, "t"
    )
    assert "OPS-999999" not in {i.issue_key for i in insights}


def test_the_maps_category_overrides_the_keyword_rules_in_fct_tickets(
    mapped: duckdb.DuckDBPyConnection,
) -> None:
    from ticket_analytics.warehouse.model_project import load_project
    from ticket_analytics.warehouse.models import build_model

    issue_id = mapped.execute(
        "select issue_id from raw.llm_ticket_insights where month = ? order by issue_id limit 1",
        [MONTH],
    ).fetchall()[0][0]
    mapped.execute(
        "update raw.llm_ticket_insights set category = 'rds' where issue_id = ?", [issue_id]
    )
    build_model(mapped, load_project().models["fct_tickets"])
    sources = dict(
        mapped.execute("select category_source, count(*) from fct_tickets group by all").fetchall()
    )
    mapped_count = mapped.execute(
        "select count(distinct issue_id) from raw.llm_ticket_insights"
    ).fetchall()[0][0]
    assert sources["llm"] == mapped_count
    assert mapped.execute(
        "select category, category_source from fct_tickets where issue_id = ?", [issue_id]
    ).fetchall() == [("rds", "llm")]
