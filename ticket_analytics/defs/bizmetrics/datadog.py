"""Business metrics to Datadog as custom metrics, or to files when there is no key.

Each run sends the newest `lookback_minutes` of complete minutes from
int_biz__events_minutely, every time: Datadog keeps the last value sent for a metric, tag
set and timestamp, so a minute that gained late log lines is corrected by the next run, and
points older than Datadog's one hour are left out (and counted) rather than refused.

Free tags go along as `key:value` tags only for the keys the cardinality guard allows
(dim_biz_tag_keys), all of an event's together, as Datadog groups a log-based metric: a
series is one combination actually seen. When a key leaves the dimensions (it crossed the
limit), the minutes re-sent under the new tag set sit beside the ones sent before for up to
an hour: the price of never sending a key that became too costly.
"""

import operator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import dagster as dg
import orjson
from pydantic import Field

from ticket_analytics.defs.resources import WarehouseResource
from ticket_analytics.defs.selections import BIZMETRICS
from ticket_analytics.integrations.datadog import (
    DatadogClient,
    DatadogError,
    DatadogSettings,
    MetricType,
    Series,
    fresh_points,
    payloads,
    tag,
)
from ticket_analytics.paths import atomic_write, reports_dir

_LATENCY_UNITS = ("ms", "s", "sec", "us", "milliseconds", "seconds")
_MINUTES = """
select
    minute,
    service,
    event,
    coalesce(status, '') as status,
    unit,
    dimension_tags,
    event_count,
    failure_count,
    value_sum,
    value_p50,
    value_p95,
    list_contains($latency_units, lower(unit)) as is_latency
from int_biz__events_minutely
where minute >= $since and minute < $until
order by minute
"""
_EXCLUDED_TAGS = """
select tag_key, exclusion_reason
from dim_biz_tag_keys
where not is_dimension
order by tag_key
"""


class DatadogResource(dg.ConfigurableResource):
    """Datadog's metrics intake. Without an API key nothing is sent (dry run to files)."""

    api_key: str = Field(default="", repr=False, description="DATADOG_API_KEY")
    site: str = Field(default="datadoghq.com", description="DATADOG_SITE, e.g. datadoghq.eu")
    api_url: str = Field(default="", description="Overrides the site's API URL (a proxy)")

    @property
    def is_configured(self) -> bool:
        return bool(self.api_key)

    def client(self) -> DatadogClient:
        return DatadogClient(
            DatadogSettings(api_key=self.api_key, site=self.site, api_url=self.api_url)
        )


class DatadogSeriesConfig(dg.Config):
    mode: Literal["auto", "dry-run", "live"] = Field(
        default="auto",
        description="auto: send when DATADOG_API_KEY is set, else write the request bodies "
        "to reports/datadog/. dry-run: always write files. live: always send.",
    )
    lookback_minutes: int = Field(
        default=55, ge=1, le=60, description="complete minutes sent per run (Datadog: <= 1 h)"
    )
    metric_prefix: str = Field(default="biz", description="metric names: <prefix>.events …")


_SeriesKey = tuple[str, tuple[str, ...], MetricType]


def _measures(row: dict[str, Any], prefix: str) -> list[tuple[_SeriesKey, float | None]]:
    """One minute of one service, event, status and unit as (series, value) pairs: events
    and failures (counts), the sum of values (amounts, per unit), p50/p95 for latencies."""
    tags: tuple[str, ...] = (tag("service", row["service"]), tag("event", row["event"]))
    if row["status"]:
        tags += (tag("status", row["status"]),)
    tags += tuple(tag(key, value) for key, value in sorted((row["dimension_tags"] or {}).items()))
    measures: list[tuple[_SeriesKey, float | None]] = [
        ((f"{prefix}.events", tags, MetricType.COUNT), row["event_count"]),
        ((f"{prefix}.failures", tags, MetricType.COUNT), row["failure_count"]),
    ]
    if not row["unit"]:
        return measures
    valued = (*tags, tag("unit", row["unit"]))
    if row["is_latency"]:
        return [
            *measures,
            ((f"{prefix}.value.p50", valued, MetricType.GAUGE), row["value_p50"]),
            ((f"{prefix}.value.p95", valued, MetricType.GAUGE), row["value_p95"]),
        ]
    return [*measures, ((f"{prefix}.value.sum", valued, MetricType.COUNT), row["value_sum"])]


def _series(rows: list[dict[str, Any]], prefix: str) -> list[Series]:
    points: dict[_SeriesKey, dict[int, float]] = {}
    for row in rows:
        stamp = int(row["minute"].timestamp())
        for key, value in _measures(row, prefix):
            if value is None:
                continue
            found = points.setdefault(key, {})
            # Datadog lowercases tags, so `App` and `app` are one series there: add their
            # counts (the intake keeps only the last point of a timestamp); of two latency
            # percentiles keep the higher, as there is no merging them
            if stamp in found:
                merge = operator.add if key[2] is MetricType.COUNT else max
                found[stamp] = merge(found[stamp], float(value))
            else:
                found[stamp] = float(value)
    return [
        Series(
            metric,
            kind,
            tuple(sorted(found.items())),
            tags,
            interval=60 if kind is MetricType.COUNT else None,
        )
        for (metric, tags, kind), found in points.items()
    ]


def _excluded_tags(warehouse: WarehouseResource) -> list[tuple[str, str]]:
    with warehouse.connect(read_only=True) as conn:
        return [(str(k), str(r)) for k, r in conn.execute(_EXCLUDED_TAGS).fetchall()]


def _window(
    warehouse: WarehouseResource, minutes: int, now: datetime
) -> tuple[datetime, datetime, list[dict[str, Any]]]:
    """The newest `minutes` complete minutes with data, ending no later than now."""
    with warehouse.connect(read_only=True) as conn:
        newest = conn.execute("select max(minute) from int_biz__events_minutely").fetchall()[0][0]
        if newest is None:
            return now, now, []
        until = min(now.replace(second=0, microsecond=0), newest + timedelta(minutes=1))
        since = until - timedelta(minutes=minutes)
        cursor = conn.execute(
            _MINUTES, {"since": since, "until": until, "latency_units": list(_LATENCY_UNITS)}
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return since, until, rows


def _write_dry_run(bodies: list[dict[str, Any]], until: datetime) -> list[Path]:
    """One file per request body, named after the window's end. The folder holds the last
    run's bodies only: what a live run would have sent, not a growing archive."""
    folder = reports_dir() / "datadog"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = until.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    for stale in folder.glob("series-*.json"):
        stale.unlink()
    written = []
    for number, body in enumerate(bodies, start=1):
        target = folder / f"series-{stamp}-{number:03d}.json"
        written.append(atomic_write(target, orjson.dumps(body)))
    return written


@dg.asset(
    group_name=BIZMETRICS,
    kinds={"datadog"},
    deps=[dg.AssetKey("int_biz__events_minutely"), dg.AssetKey("dim_biz_tag_keys")],
)
def datadog_series(
    context: dg.AssetExecutionContext,
    config: DatadogSeriesConfig,
    warehouse: WarehouseResource,
    datadog: DatadogResource,
) -> dg.MaterializeResult:
    """The business metrics of the last hour as Datadog custom metrics (v2 series API):
    events and failures per minute, amounts, latency p50/p95, tagged by service, event,
    status, unit and the free tags the cardinality guard allows (`key:value`). Without
    DATADOG_API_KEY it is a dry run: the exact request bodies are written to
    reports/datadog/series-*.json."""
    live = config.mode == "live" or (config.mode == "auto" and datadog.is_configured)
    now = datetime.now(UTC)
    since, until, rows = _window(warehouse, config.lookback_minutes, now)
    series = _series(rows, config.metric_prefix)
    too_old = 0
    sent_keys = sorted({key for row in rows for key in row["dimension_tags"] or {}})
    excluded = _excluded_tags(warehouse)
    metadata: dict[str, Any] = {
        "mode": "live" if live else "dry-run",
        "window": f"{since:%Y-%m-%d %H:%M} .. {until:%H:%M} UTC",
        "tag_dimensions": ", ".join(sent_keys) or "none",
        "tags_left_out": ", ".join(f"{key} ({why})" for key, why in excluded) or "none",
    }
    if live:
        series, too_old = fresh_points(series, now)
        try:
            with datadog.client() as client:
                result = client.submit(series)
        except (DatadogError, ValueError) as exc:
            raise dg.Failure(str(exc)) from None
        for error in result.errors:
            context.log.warning(f"Datadog: {error}")
        metadata |= {
            "requests": result.requests,
            "payload_bytes": result.payload_bytes,
            "intake_errors": len(result.errors),
            "retries": client.stats.retries,
        }
    else:
        bodies = payloads(series)
        files = _write_dry_run(bodies, until)
        metadata |= {
            "files": dg.MetadataValue.md("\n".join(f"- `{f}`" for f in files) or "_none_"),
            "payload_bytes": sum(f.stat().st_size for f in files),
        }
    points = sum(len(s.points) for s in series)
    if too_old:
        context.log.info(f"{too_old:,} points are older than Datadog accepts (1 h): not sent")
    return dg.MaterializeResult(
        metadata={
            **metadata,
            "series": len(series),
            "points": points,
            "points_too_old": too_old,
            "metrics": ", ".join(sorted({s.metric for s in series})) or "none",
        }
    )
