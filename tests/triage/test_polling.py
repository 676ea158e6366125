"""Which pending tickets a poll requests, in which run, and what its cursor remembers."""

from __future__ import annotations

from ticket_analytics.triage.polling import (
    Pending,
    Requested,
    dump_cursor,
    load_cursor,
    pending_from_issue,
    plan_poll,
    run_key,
)
from ticket_analytics.triage.tracker import TriageLabels

NEW_A = Pending("OPS-1", "2025-11-03T10:00:00.000+0000", "new")
NEW_B = Pending("OPS-2", "2025-11-03T10:01:00.000+0000", "new")


def test_new_tickets_are_requested_once_per_state_and_batched() -> None:
    plan = plan_poll([NEW_A, NEW_B], {}, (), live=True, now=1000.0, batch_size=1)
    assert plan.batches == ((("OPS-1", NEW_A.updated, 0),), (("OPS-2", NEW_B.updated, 0),))
    again = plan_poll([NEW_A, NEW_B], plan.cursor, (), live=True, now=1060.0, batch_size=1)
    assert again.batches == () and set(again.waiting) == {"OPS-1", "OPS-2"}


def test_a_live_ticket_still_pending_is_retried_after_a_doubling_backoff() -> None:
    cursor = {"OPS-1": Requested(NEW_A.updated, at=1000.0, attempt=0)}
    early = plan_poll([NEW_A], cursor, (), live=True, now=1200.0, batch_size=10)
    retry = plan_poll([NEW_A], cursor, (), live=True, now=1300.0, batch_size=10)
    assert early.keys == [] and retry.batches == ((("OPS-1", NEW_A.updated, 1),),)
    second = plan_poll([NEW_A], retry.cursor, (), live=True, now=1300.0 + 599, batch_size=10)
    assert second.keys == []  # the second retry waits 600 s


def test_shadow_tickets_are_analysed_again_only_when_they_change() -> None:
    cursor = {"OPS-1": Requested(NEW_A.updated, at=0.0)}
    assert plan_poll([NEW_A], cursor, (), live=False, now=99_999.0, batch_size=10).keys == []
    edited = Pending("OPS-1", "2025-11-03T11:00:00.000+0000", "new")
    assert plan_poll([edited], cursor, (), live=False, now=1.0, batch_size=10).keys == ["OPS-1"]


def test_follow_up_candidates_are_retried_only_when_the_rules_find_them_complete() -> None:
    waiting = Pending("OPS-3", "u1", "followup", complete=False)
    complete = Pending("OPS-4", "u1", "followup", complete=True)
    cursor = {key: Requested("u1", at=0.0) for key in ("OPS-3", "OPS-4")}
    plan = plan_poll([waiting, complete], cursor, (), live=True, now=10_000.0, batch_size=10)
    assert plan.keys == ["OPS-4"]


def test_a_follow_up_candidate_carries_both_of_the_bots_labels() -> None:
    """A new ticket someone else labelled NEEDS_INFO is new: its failed pass is retried."""

    def issue(labels: list[str]) -> dict[str, object]:
        fields = {"summary": "DB 생성 요청", "labels": labels, "updated": "u1"}
        return {"key": "OPS-5", "id": "5", "fields": fields}

    labels = TriageLabels()
    assert pending_from_issue(issue(["NEEDS_INFO"]), labels, "cloud").kind == "new"
    both = pending_from_issue(issue(["NEEDS_INFO", "AI_ANALYZED"]), labels, "cloud")
    assert both.kind == "followup" and not both.complete


def test_a_key_in_flight_is_never_requested_twice() -> None:
    plan = plan_poll([NEW_A, NEW_B], {}, {"OPS-1"}, live=True, now=0.0, batch_size=10)
    assert plan.keys == ["OPS-2"] and plan.in_flight == ("OPS-1",)


def test_the_cursor_forgets_tickets_no_longer_pending_and_survives_a_round_trip() -> None:
    cursor = {"OPS-9": Requested("old", 1.0), "OPS-1": Requested(NEW_A.updated, 2.0, 3)}
    plan = plan_poll([NEW_A], cursor, (), live=False, now=5.0, batch_size=10)
    assert set(plan.cursor) == {"OPS-1"}
    assert load_cursor(dump_cursor(plan.cursor)) == plan.cursor
    assert load_cursor("not json") == {} and load_cursor(None) == {}


def test_the_run_key_depends_on_the_tickets_states_not_their_order() -> None:
    batch = [("OPS-1", "a", 0), ("OPS-2", "b", 0)]
    assert run_key(batch) == run_key(reversed(batch))
    assert run_key(batch) != run_key([("OPS-1", "a", 1), ("OPS-2", "b", 0)])
    assert run_key(batch) != run_key([("OPS-1", "a2", 0), ("OPS-2", "b", 0)])
