"""A small sample warehouse, built once, mapped offline once; tests that write get a copy."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path

import duckdb
import pytest
from jira_builders import load_and_build
from pydantic import BaseModel

from ticket_analytics.analysis.mapper import analyse_batch, plan_batches, save_insights
from ticket_analytics.analysis.offline import offline_handlers
from ticket_analytics.integrations.llm import Ledger, LlmClient, LlmSettings
from ticket_analytics.samples.generator import write_sample
from ticket_analytics.warehouse.connection import connect

MONTHS = ("2025-09", "2025-10")
MONTH = "2025-10"

Handler = Callable[[Sequence[Mapping[str, str]]], BaseModel]


def offline_client(
    conn: duckdb.DuckDBPyConnection, overrides: Mapping[type[BaseModel], Handler] | None = None
) -> LlmClient:
    handlers = {**offline_handlers(), **(overrides or {})}
    return LlmClient(LlmSettings(), Ledger.in_connection(conn), offline_handlers=handlers)


def map_month(conn: duckdb.DuckDBPyConnection, client: LlmClient, month: str) -> None:
    for batch, tickets in plan_batches(conn, month).items():
        if tickets:
            save_insights(conn, month, batch, analyse_batch(client, tickets, month, batch, "t"))


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Models built over three sample months (~90 tickets each), nothing mapped yet."""
    root = tmp_path_factory.mktemp("analysis")
    sample = write_sample(
        root / "sample", months=3, seed=11, until=date(2025, 10, 31), per_month=90
    )
    path = root / "built.duckdb"
    with connect(path) as conn:
        load_and_build(conn, sample.out_dir, months=("2025-08", *MONTHS))
    return path


@pytest.fixture(scope="session")
def mapped_warehouse(built_warehouse: Path) -> Path:
    """The built warehouse with every batch of MONTHS mapped by the offline backend."""
    path = built_warehouse.with_name("mapped.duckdb")
    shutil.copy(built_warehouse, path)
    with connect(path) as conn:
        client = offline_client(conn)
        for month in MONTHS:
            map_month(conn, client, month)
    return path


def _copy(source: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    target = tmp_path / source.name
    shutil.copy(source, target)
    with connect(target) as conn:
        yield conn


@pytest.fixture
def built(built_warehouse: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    yield from _copy(built_warehouse, tmp_path)


@pytest.fixture
def mapped(mapped_warehouse: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    yield from _copy(mapped_warehouse, tmp_path)
