"""Which logs and infra metrics a run reads when its config names none."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticket_analytics.defs.bizmetrics.sources import infra_path, logs_path, watched_logs


def test_configured_logs_never_get_the_demos_infra_mixed_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TA_BIZ_LOGS", str(tmp_path / "logs"))
    monkeypatch.delenv("TA_INFRA_METRICS", raising=False)
    monkeypatch.setenv("TA_SAMPLE_DIR", str(tmp_path / "sample"))
    assert logs_path() == tmp_path / "logs"
    assert infra_path() is None
    assert not (tmp_path / "sample").exists()


def test_a_path_in_the_config_wins_over_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TA_BIZ_LOGS", str(tmp_path / "env"))
    monkeypatch.setenv("TA_INFRA_METRICS", str(tmp_path / "env-infra"))
    assert logs_path(str(tmp_path / "given")) == tmp_path / "given"
    assert infra_path() == tmp_path / "env-infra"
    assert infra_path(str(tmp_path / "given-infra")) == tmp_path / "given-infra"


def test_the_sensor_watches_the_sample_without_writing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TA_BIZ_LOGS", raising=False)
    monkeypatch.setenv("TA_SAMPLE_DIR", str(tmp_path / "sample"))
    assert watched_logs() == tmp_path / "sample_applogs" / "logs"
    assert not (tmp_path / "sample").exists()
