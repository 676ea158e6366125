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
    log_level: str = "INFO",
) -> dg.ExecuteInProcessResult:
    """Materialize `selection` (default: everything) from the project's definitions."""
    from ticket_analytics.definitions import defs

    config = dict(run_config or {})
    config.setdefault("loggers", {"console": {"config": {"log_level": log_level}}})
    assets = list(defs.assets or []) + list(defs.asset_checks or [])
    return dg.materialize(
        assets,
        selection=selection,
        run_config=config,
        resources={**(defs.resources or {}), **(resources or {})},
        instance=dagster_instance,
        partition_key=partition_key,
        raise_on_error=False,
    )
