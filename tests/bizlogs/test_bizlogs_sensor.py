"""The log sensor: a run for new or grown files, none for unchanged ones, never the warehouse."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from ticket_analytics.defs.bizmetrics.assets import BIZ_EVENTS_OP
from ticket_analytics.defs.bizmetrics.sensors import bizlogs_sensor


@pytest.fixture
def watched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "logs"
    folder.mkdir()
    monkeypatch.setenv("TA_BIZ_LOGS", str(folder))
    # a sensor never opens DuckDB: the warehouse must not even come into existence
    monkeypatch.setenv("TA_WAREHOUSE", str(tmp_path / "never" / "warehouse.duckdb"))
    return folder


def _tick(cursor: str | None = None) -> dg.SensorResult | dg.SkipReason:
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(cursor=cursor, instance=instance)
        result = bizlogs_sensor(context)
    assert isinstance(result, dg.SensorResult | dg.SkipReason)
    return result


def _requests(result: dg.SensorResult | dg.SkipReason) -> list[dg.RunRequest]:
    return list(result.run_requests or []) if isinstance(result, dg.SensorResult) else []


def test_a_new_log_file_requests_a_run_of_the_job_over_the_watched_folder(watched: Path) -> None:
    (watched / "app.log").write_text("2025-10-01T00:00:00Z BIZ_METRIC event=order.created\n")
    result = _tick()
    (request,) = _requests(result)
    assert request.run_key and request.run_key.startswith("bizlogs-")
    assert request.run_config["ops"][BIZ_EVENTS_OP]["config"]["path"] == str(watched)
    assert not (watched.parent / "never").exists()


def test_unchanged_files_request_nothing(watched: Path) -> None:
    (watched / "app.log").write_text("line\n")
    first = _tick()
    assert isinstance(first, dg.SensorResult)
    second = _tick(first.cursor)
    assert _requests(second) == []


def test_a_grown_file_requests_a_run_with_a_new_key(watched: Path) -> None:
    log = watched / "app.log"
    log.write_text("line\n")
    first = _tick()
    assert isinstance(first, dg.SensorResult)
    with open(log, "a") as handle:
        handle.write("2025-10-01T00:00:00Z BIZ_METRIC event=order.created\n")
    second = _tick(first.cursor)
    (before,), (after,) = _requests(first), _requests(second)
    assert after.run_key != before.run_key


def test_the_same_change_seen_twice_gets_the_same_run_key(watched: Path) -> None:
    (watched / "app.log").write_text("line\n")
    (first,), (again,) = _requests(_tick()), _requests(_tick())
    assert first.run_key == again.run_key  # Dagster runs a run key once


def test_a_missing_folder_is_skipped_with_the_reason(
    watched: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TA_BIZ_LOGS", str(watched / "nope"))
    result = _tick()
    assert isinstance(result, dg.SkipReason) and "TA_BIZ_LOGS" in (result.skip_message or "")


def test_the_sensor_is_stopped_until_someone_starts_it() -> None:
    assert bizlogs_sensor.default_status == dg.DefaultSensorStatus.STOPPED
