"""Where the project's files live, and how one is replaced. Paths, not secrets, so they may
come from the environment."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"
MIGRATIONS_DIR = SQL_DIR / "migrations"
MODELS_DIR = PROJECT_ROOT / "dbt_like_models"
DATA_DIR = PROJECT_ROOT / "data"


def _configured(variable: str, default: Path) -> Path:
    return configured_path(variable) or default


def configured_path(variable: str) -> Path | None:
    """A path from the environment (relative to the working directory), or None when unset."""
    value = os.environ.get(variable, "").strip()
    return Path(value).resolve() if value else None


def warehouse_path() -> Path:
    """The DuckDB file: `TA_WAREHOUSE` if set (relative to the working directory), else data/."""
    return _configured("TA_WAREHOUSE", DATA_DIR / "warehouse.duckdb")


def sample_dir() -> Path:
    """Where the bundled sample tickets are generated: `TA_SAMPLE_DIR`, else data/sample."""
    return _configured("TA_SAMPLE_DIR", DATA_DIR / "sample")


def reports_dir() -> Path:
    """Where report files go: `TA_REPORTS_DIR`, else reports/."""
    return _configured("TA_REPORTS_DIR", PROJECT_ROOT / "reports")


def snapshot_path(warehouse: Path) -> Path:
    """The read-only copy analysts open: `<warehouse stem>.snapshot.duckdb` beside it."""
    return warehouse.with_name(f"{warehouse.stem}.snapshot{warehouse.suffix}")


def atomic_write(path: Path, content: str | bytes) -> Path:
    """Replace `path` in one step: a reader sees the old file or the new one, never half."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        # mkstemp creates the file 0600; a report is meant to be shared like any other file.
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
