"""A warehouse with one incident ticket, and application logs from the last half hour."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from bizlog_builders import INCIDENT_AT, write_infra, write_logs
from jira_builders import issue, load_and_build, write_page

import ticket_analytics.definitions as project
from ticket_analytics.defs import bizmetrics
from ticket_analytics.warehouse.connection import connect


@pytest.fixture
def ticket_warehouse(warehouse_file: Path, tmp_path: Path) -> Path:
    """The project's warehouse (TA_WAREHOUSE) with the ticket models built: one incident."""
    incident = issue(
        "OPS-7",
        INCIDENT_AT.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        summary="payment-api 장애 502 bad gateway",
    )
    page = write_page(tmp_path / "tickets.json", [incident])
    with connect(warehouse_file) as conn:
        load_and_build(conn, page)
    return warehouse_file


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    return write_logs(tmp_path / "logs")


@pytest.fixture
def infra(tmp_path: Path) -> Path:
    return write_infra(tmp_path / "infra")


@pytest.fixture
def project_defs(monkeypatch: pytest.MonkeyPatch) -> Iterator[dg.Definitions]:
    """The project's definitions with this domain in them, merged here until definitions.py
    does it (the runner, and so the CLI, reads `ticket_analytics.definitions.defs`)."""
    merged = project.defs
    keys = {
        key for a in merged.assets or [] if isinstance(a, dg.AssetsDefinition) for key in a.keys
    }
    if dg.AssetKey(["raw", "biz_events"]) not in keys:
        merged = dg.Definitions.merge(project.defs, bizmetrics.defs)
        monkeypatch.setattr(project, "defs", merged)
    yield merged
