"""Run assets in-process, the way the CLI and tests drive Dagster (≈0.1 s a run, no daemon)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import dagster as dg

from ticket_analytics.paths import PROJECT_ROOT


def instance() -> dg.DagsterInstance:
    """The project's Dagster home, so CLI runs show up in `make ui` too."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    settings = home / "dagster.yaml"
    if not settings.exists():
        settings.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    return dg.DagsterInstance.get()


def run(
    selection: dg.AssetSelection | Sequence[str] | None = None,
    *,
    run_config: Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    dagster_instance: dg.DagsterInstance | None = None,
    partition_key: str | None = None,
    partition_range: tuple[str, str] | None = None,
    log_level: str = "INFO",
) -> dg.ExecuteInProcessResult:
    """Materialize `selection` (default: everything) from the project's definitions.

    `partition_range` (first, last) runs partitioned assets once over the whole range.
    """
    from ticket_analytics.definitions import defs

    config = dict(run_config or {})
    config.setdefault("loggers", {"console": {"config": {"log_level": log_level}}})
    assets = [
        a
        for a in [*(defs.assets or []), *(defs.asset_checks or [])]
        if isinstance(a, dg.AssetsDefinition | dg.AssetSpec | dg.SourceAsset)
    ]
    return dg.materialize(
        assets,
        selection=selection,
        run_config=config,
        resources={**(defs.resources or {}), **(resources or {})},
        instance=dagster_instance,
        partition_key=partition_key,
        tags=_range_tags(partition_range) if partition_range else None,
        raise_on_error=False,
    )


def _range_tags(partition_range: tuple[str, str]) -> dict[str, str]:
    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
    )

    first, last = partition_range
    return {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}


def months_with_data(warehouse: Path) -> list[str]:
    """Month partitions between the first ticket and the as-of time, within the partitions."""
    from ticket_analytics.defs.models.partitions import MONTHLY
    from ticket_analytics.warehouse.connection import connect

    with connect(warehouse, read_only=True) as conn:
        first, last = conn.execute(
            "select strftime(min(created_at), '%Y-%m'), strftime(max(as_of_at), '%Y-%m') from fct_tickets"
        ).fetchall()[0]
    if first is None:
        return []
    return [key for key in MONTHLY.get_partition_keys() if first <= key <= last]


def build(
    *,
    include_ingest: bool,
    months: Sequence[str] | None = None,
    run_config: Mapping[str, Any] | None = None,
    dagster_instance: dg.DagsterInstance | None = None,
) -> list[dg.ExecuteInProcessResult]:
    """Everything unpartitioned in one run, then one run over the months of the monthly marts.

    `months=None` builds every month that has data (the range spanning `months` otherwise);
    stops at the first failed run.
    """
    from ticket_analytics.definitions import defs
    from ticket_analytics.defs.models.partitions import MONTHLY
    from ticket_analytics.paths import warehouse_path

    monthly = dg.AssetSelection.assets(
        *(
            a
            for a in defs.assets or []
            if isinstance(a, dg.AssetsDefinition) and a.partitions_def == MONTHLY
        )
    )
    # Reports and the analysts' snapshot read the monthly marts too, so they come last.
    reports = dg.AssetSelection.groups("reports")
    unpartitioned = dg.AssetSelection.all() - monthly - reports
    if not include_ingest:
        unpartitioned = unpartitioned - dg.AssetSelection.groups("ingest")
    results = [run(unpartitioned, run_config=run_config, dagster_instance=dagster_instance)]
    if not results[0].success:
        return results
    months = sorted(months_with_data(warehouse_path()) if months is None else months)
    if months:
        results.append(
            run(monthly, partition_range=(months[0], months[-1]), dagster_instance=dagster_instance)
        )
        if not results[-1].success:
            return results
    results.append(run(reports, dagster_instance=dagster_instance))
    return results
