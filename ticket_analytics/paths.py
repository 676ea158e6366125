"""Where the project's files live. Paths, not secrets, so they may come from the environment."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"
MIGRATIONS_DIR = SQL_DIR / "migrations"
MODELS_DIR = PROJECT_ROOT / "dbt_like_models"
DATA_DIR = PROJECT_ROOT / "data"
REPORTS_DIR = PROJECT_ROOT / "reports"
SAMPLE_DIR = DATA_DIR / "sample"


def warehouse_path() -> Path:
    """The DuckDB file: `TA_WAREHOUSE` if set (relative to the working directory), else data/."""
    configured = os.environ.get("TA_WAREHOUSE")
    return Path(configured).resolve() if configured else DATA_DIR / "warehouse.duckdb"


def snapshot_path(warehouse: Path) -> Path:
    """The read-only copy analysts open: `<warehouse stem>.snapshot.duckdb` beside it."""
    return warehouse.with_name(f"{warehouse.stem}.snapshot{warehouse.suffix}")
