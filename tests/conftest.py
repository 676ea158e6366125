"""Shared pytest fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Keep tests hermetic and quiet whatever the developer's shell exports.
os.environ["GX_ANALYTICS_ENABLED"] = "false"
os.environ["DAGSTER_DISABLE_TELEMETRY"] = "1"
# Month partitions start 12 months back by default; the tests' tickets are from 2025.
os.environ["TA_FIRST_MONTH"] = "2024-01"


@pytest.fixture
def shared_samples() -> Path:
    """Real payloads captured from Jira (copied from shared/reference/samples, see SOURCES.txt)."""
    return FIXTURES


@pytest.fixture
def jira_samples() -> Path:
    return FIXTURES / "jira"


@pytest.fixture
def warehouse_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh warehouse path; every place the project writes to points into tmp_path."""
    path = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("TA_WAREHOUSE", str(path))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("TA_SAMPLE_DIR", str(tmp_path / "sample"))
    monkeypatch.setenv("TA_REPORTS_DIR", str(tmp_path / "reports"))
    yield path
