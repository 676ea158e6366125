"""Infrastructure metrics into raw.infra_metrics: Prometheus `query_range` JSON and CSV.

Both end in one merge keyed by (metric, host, labels, ts), so re-importing a file (or an
overlapping range) changes nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from ticket_analytics.bizlogs.checkpoints import discover
from ticket_analytics.warehouse.sql_files import load_sql

_HOST_LABELS = ("host", "instance", "node", "pod")
# Labels that say where a series was scraped from, not what it measures.
_SCRAPE_LABELS = {"__name__", "job", *_HOST_LABELS}
MAX_VALUE = 1e18  # exclusive: the models cast values to decimal(24, 6)
_STAGED = pa.schema(
    [
        ("ts", pa.timestamp("us", tz="UTC")),
        ("host", pa.string()),
        ("metric", pa.string()),
        ("labels", pa.string()),
        ("value", pa.float64()),
        ("source", pa.string()),
        ("seq", pa.int64()),
    ]
)


class InfraFormatError(ValueError):
    """The file is not a Prometheus matrix response or an infra CSV; the message says why."""


@dataclass(frozen=True)
class InfraStats:
    files: int
    points: int
    written: int  # new points plus points whose value changed

    def as_metadata(self) -> dict[str, int]:
        return {"files": self.files, "points": self.points, "written": self.written}


def _host(labels: dict[str, str]) -> str:
    for name in _HOST_LABELS:
        if value := labels.get(name):
            # an instance is host:port; the port is the exporter's, not the machine's
            return value.rsplit(":", 1)[0] if name == "instance" else value
    return "unknown"


def prometheus_frame(document: dict[str, Any], *, source: str, default_metric: str) -> pa.Table:
    """Points of a `query_range` response (or its `data`) as a staged table."""
    data = document.get("data", document)
    if document.get("status", "success") != "success":
        raise InfraFormatError(f"{source}: Prometheus reported {document.get('status')!r}")
    if not isinstance(data, dict) or data.get("resultType") != "matrix":
        kind = data.get("resultType") if isinstance(data, dict) else type(data).__name__
        raise InfraFormatError(f"{source}: expected resultType matrix, got {kind!r}")
    columns: dict[str, list[Any]] = {name: [] for name in _STAGED.names}
    for series in data.get("result") or []:
        labels = series.get("metric") or {}
        metric = labels.get("__name__") or default_metric
        host = _host(labels)
        rest = {k: v for k, v in sorted(labels.items()) if k not in _SCRAPE_LABELS}
        label_key = orjson.dumps(rest).decode() if rest else ""
        for stamp, text in series.get("values") or []:
            value = float(text)
            columns["ts"].append(datetime.fromtimestamp(float(stamp), UTC))
            columns["host"].append(host)
            columns["metric"].append(metric)
            columns["labels"].append(label_key)
            # Prometheus writes gaps as NaN; a null keeps averages in SQL honest (and the
            # models' decimal(24, 6) holds no value from 1e18 up)
            kept = math.isfinite(value) and abs(value) < MAX_VALUE
            columns["value"].append(value if kept else None)
    count = len(columns["ts"])
    columns["source"] = [source] * count
    columns["seq"] = list(range(count))
    return pa.table(columns, schema=_STAGED)


def _merge(conn: duckdb.DuckDBPyConnection, frame: pa.Table | duckdb.DuckDBPyRelation) -> int:
    conn.register("staged_infra", frame)
    try:
        rows = conn.execute(load_sql("biz_merge_infra"), {"ingested_at": datetime.now(UTC)})
        return int(rows.fetchall()[0][0])
    finally:
        conn.unregister("staged_infra")


def import_infra(conn: duckdb.DuckDBPyConnection, path: Path) -> tuple[int, int]:
    """Import one file (`.json` Prometheus, anything else CSV); returns (points, written)."""
    source = f"file:{path}"
    if path.suffix.lower() == ".json":
        try:
            document = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError as exc:
            raise InfraFormatError(f"{path}: not JSON ({exc})") from exc
        if not isinstance(document, dict):
            raise InfraFormatError(f"{path}: expected a query_range response object")
        frame: Any = prometheus_frame(document, source=source, default_metric=path.stem)
        points = frame.num_rows
    else:
        frame = conn.sql(
            load_sql("biz_stage_infra_csv"), params={"path": str(path), "source": source}
        )
        frame = frame.to_arrow_table()
        points = frame.num_rows
    conn.execute("begin transaction")
    try:
        written = _merge(conn, frame)
        conn.execute("commit")
    except Exception:
        conn.execute("rollback")
        raise
    return points, written


def import_infra_path(conn: duckdb.DuckDBPyConnection, path: Path) -> InfraStats:
    """Import every `.json` and `.csv` file at `path` (a file or a directory)."""
    files = [p for p in discover(path) if p.suffix.lower() in (".json", ".csv")]
    points = written = 0
    for file in files:
        file_points, file_written = import_infra(conn, file)
        points += file_points
        written += file_written
    return InfraStats(files=len(files), points=points, written=written)
