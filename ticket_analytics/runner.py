"""Run assets in-process, the way the CLI and tests drive Dagster (≈0.1 s a run, no daemon)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import dagster as dg

from ticket_analytics.paths import PROJECT_ROOT

# Dagster's documented run tags for a run over a range of partitions (what a backfill with a
# single-run policy sets); dagster has no public constant for them.
_RANGE_START_TAG = "dagster/asset_partition_range_start"
_RANGE_END_TAG = "dagster/asset_partition_range_end"


def instance() -> dg.DagsterInstance:
    """The project's Dagster home (`DAGSTER_HOME`), so CLI runs show up in `make ui` too."""
    home = Path(os.environ.get("DAGSTER_HOME") or PROJECT_ROOT / ".dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    settings = home / "dagster.yaml"
    if not settings.exists():
        settings.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    return dg.DagsterInstance.from_config(str(home))


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
        tags={_RANGE_START_TAG: partition_range[0], _RANGE_END_TAG: partition_range[1]}
        if partition_range
        else None,
        raise_on_error=False,
    )


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


def build_selections(*, include_ingest: bool) -> tuple[dg.AssetSelection, ...]:
    """What `build` runs, in order: unpartitioned ticket models (after the sync when asked),
    the monthly marts, then the reports that read them. Nothing of another domain."""
    from ticket_analytics.definitions import monthly_assets
    from ticket_analytics.defs import selections

    models = selections.unpartitioned_models(monthly_assets)
    if include_ingest:
        models = selections.jira_ingest() | models
    return models, selections.monthly_marts(monthly_assets), selections.reports()


def build(
    *,
    include_ingest: bool,
    months: Sequence[str] | None = None,
    run_config: Mapping[str, Any] | None = None,
    dagster_instance: dg.DagsterInstance | None = None,
) -> list[dg.ExecuteInProcessResult]:
    """Every unpartitioned ticket model in one run, then one run over the months of the
    monthly marts, then the reports.

    `months=None` builds every month that has data (the range spanning `months` otherwise);
    stops at the first failed run.
    """
    from ticket_analytics.paths import warehouse_path

    unpartitioned, monthly, reports = build_selections(include_ingest=include_ingest)
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
