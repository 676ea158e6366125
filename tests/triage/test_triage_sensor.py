"""The triage sensor with `dg.build_sensor_context`: keys in run config, run keys, cursor."""

from __future__ import annotations

import json
from collections.abc import Iterator

import dagster as dg
import pytest
from fakes.jira_server import FakeJira
from triage_support import COMPLETE, INCOMPLETE, Poll, triage_resource

from ticket_analytics.defs.resources import JiraResource
from ticket_analytics.defs.triage import sensors
from ticket_analytics.defs.triage.assets import DECISIONS_OP, run_config
from ticket_analytics.defs.triage.resources import TriageResource
from ticket_analytics.defs.triage.sensors import triage_sensor
from ticket_analytics.triage import polling


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.ephemeral() as ephemeral:
        yield ephemeral


def _tick(
    instance: dg.DagsterInstance, resource: TriageResource, cursor: str | None
) -> dg.SensorResult:
    with dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"triage": resource}
    ) as context:
        result = triage_sensor(context)
    assert isinstance(result, dg.SensorResult)
    return result


def _keys(request: dg.RunRequest) -> list[str]:
    return request.run_config["ops"][DECISIONS_OP]["config"]["keys"]


def test_one_run_lists_the_pending_keys_and_the_cursor_remembers_them(
    jira: FakeJira, instance: dg.DagsterInstance
) -> None:
    first = jira.add_issue(summary=INCOMPLETE[0], description=INCOMPLETE[1])
    second = jira.add_issue(summary=COMPLETE[0], description=COMPLETE[1])
    resource = triage_resource(jira)

    result = _tick(instance, resource, None)

    (request,) = result.run_requests or []
    assert _keys(request) == [first, second]
    assert request.run_config == run_config([first, second], "live")
    assert (
        request.run_key
        == _tick(dg.DagsterInstance.ephemeral(), resource, None).run_requests[0].run_key
    )  # type: ignore[index]
    assert set(json.loads(result.cursor or "")["keys"]) == {first, second}
    assert jira.requests_to("/comment") == []  # the sensor only reads

    again = _tick(instance, resource, result.cursor)
    assert again.run_requests == []

    jira.update_issue(first, description=INCOMPLETE[1] + "\nPlease hurry")
    changed = _tick(instance, resource, again.cursor)
    (request,) = changed.run_requests or []
    assert _keys(request) == [first] and request.run_key != result.run_requests[0].run_key  # type: ignore[index]


def test_a_failed_live_pass_is_requested_again_after_the_backoff(
    jira: FakeJira, instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = jira.add_issue(summary=INCOMPLETE[0], description=INCOMPLETE[1])
    resource = triage_resource(jira)
    monkeypatch.setattr(sensors, "_now", lambda: 1_000.0)
    first = _tick(instance, resource, None)
    monkeypatch.setattr(sensors, "_now", lambda: 1_000.0 + 301)

    retry = _tick(instance, resource, first.cursor)

    (request,) = retry.run_requests or []
    assert _keys(request) == [key] and request.run_key != first.run_requests[0].run_key  # type: ignore[index]


@pytest.mark.parametrize("completes", [True, False])
def test_a_follow_up_whose_reply_completes_it_is_retried_after_a_failed_pass(
    jira: FakeJira,
    instance: dg.DagsterInstance,
    poll: Poll,
    monkeypatch: pytest.MonkeyPatch,
    completes: bool,
) -> None:
    """The requester answers in a reply and the thank-you pass fails (nothing written, so
    `updated` stays): the sensor reads the reply as the pass does and asks again. A reply
    that leaves the ticket incomplete waits for the requester, as before."""
    key = jira.add_issue(summary=INCOMPLETE[0], description=INCOMPLETE[1])
    (asked,) = poll()
    assert asked.action == "commented"
    jira.add_comment(
        key, "클라우드는 AWS 입니다." if completes else "곧 알려드릴게요", author="alice"
    )
    resource = triage_resource(jira)
    monkeypatch.setattr(sensors, "_now", lambda: 1_000.0)
    first = _tick(instance, resource, None)
    assert [k for r in first.run_requests or [] for k in _keys(r)] == [key]
    monkeypatch.setattr(sensors, "_now", lambda: 1_000.0 + 301)

    retry = _tick(instance, resource, first.cursor)

    assert [k for r in retry.run_requests or [] for k in _keys(r)] == ([key] if completes else [])


def test_keys_of_a_run_still_in_flight_are_not_requested(
    jira: FakeJira, instance: dg.DagsterInstance, merged_defs: dg.Definitions
) -> None:
    busy = jira.add_issue(summary=INCOMPLETE[0], description=INCOMPLETE[1])
    free = jira.add_issue(summary=COMPLETE[0], description=COMPLETE[1])
    instance.create_run_for_job(
        merged_defs.resolve_job_def("triage_job"),
        run_config=run_config([busy]),
        status=dg.DagsterRunStatus.STARTED,
    )

    result = _tick(instance, triage_resource(jira), None)

    (request,) = result.run_requests or []
    assert _keys(request) == [free]


def test_requests_are_batched_and_carry_the_mode(
    jira: FakeJira, instance: dg.DagsterInstance
) -> None:
    keys = [jira.add_issue(summary=INCOMPLETE[0], description=INCOMPLETE[1]) for _ in range(5)]
    result = _tick(
        instance, triage_resource(jira, batch_size=2, poll_limit=10, mode="shadow"), None
    )
    requests = result.run_requests or []
    assert [_keys(r) for r in requests] == [keys[0:2], keys[2:4], keys[4:5]]
    assert {r.run_config["ops"][DECISIONS_OP]["config"]["mode"] for r in requests} == {"shadow"}
    assert len({r.run_key for r in requests}) == 3


def test_without_jira_the_sensor_skips_and_never_opens_the_warehouse(
    instance: dg.DagsterInstance, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TA_WAREHOUSE", str(tmp_path) + "/never.duckdb")
    with dg.build_sensor_context(
        instance=instance, resources={"triage": TriageResource(jira=JiraResource())}
    ) as context:
        result = triage_sensor(context)
    assert isinstance(result, dg.SkipReason) and "--once" in (result.skip_message or "")
    assert not (tmp_path / "never.duckdb").exists()  # type: ignore[operator]


def test_the_sensor_is_stopped_by_default_and_polls_at_the_configured_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert triage_sensor.default_status == dg.DefaultSensorStatus.STOPPED
    assert triage_sensor.minimum_interval_seconds == polling.interval_seconds() == 60
    monkeypatch.setenv("TRIAGE_INTERVAL_S", "30")
    assert polling.interval_seconds() == 30
    monkeypatch.setenv("TRIAGE_INTERVAL_S", "soon")
    with pytest.raises(ValueError, match="whole seconds"):
        polling.interval_seconds()
