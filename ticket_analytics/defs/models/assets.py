"""Every dbt-like SQL model is an asset; every yml column test is an asset check on it."""

import warnings
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb

from ticket_analytics.defs.metadata import markdown_table
from ticket_analytics.defs.models.partitions import MONTHLY, TEAM_ZONE
from ticket_analytics.defs.resources import WarehouseResource
from ticket_analytics.warehouse.model_project import Model, ModelProject, load_project
from ticket_analytics.warehouse.models import build_model, run_test

PREVIEW_ROWS = 5


def source_key(schema: str, table: str) -> dg.AssetKey:
    return dg.AssetKey([schema, table])


def _preview(conn: duckdb.DuckDBPyConnection, model: Model) -> tuple[str, dg.TableSchema]:
    relation = conn.table(f'"main"."{model.name}"')
    frame = relation.limit(PREVIEW_ROWS).pl()
    schema = dg.TableSchema(
        columns=[
            dg.TableColumn(name=name, type=str(kind), description=model.columns.get(name) or None)
            for name, kind in zip(relation.columns, relation.dtypes, strict=True)
        ]
    )
    return markdown_table(frame), schema


def _model_asset(model: Model) -> dg.AssetsDefinition:
    check_specs = [
        dg.AssetCheckSpec(
            name=test.name,
            asset=model.name,
            blocking=test.blocking,
            description=f"{test.kind} on {test.column} ({test.severity})",
        )
        for test in model.tests
    ]
    deps = [dg.AssetKey(ref) for ref in model.deps] + [source_key(*s) for s in model.sources]

    with warnings.catch_warnings():
        # Dagster marks backfill_policy beta; users should not see that on every command.
        warnings.simplefilter("ignore", dg.BetaWarning)
        as_asset = dg.asset(
            name=model.name,
            group_name=model.group,
            deps=deps,
            description=model.description or None,
            check_specs=check_specs,
            kinds={"duckdb", "sql"},
            metadata={"sql_file": str(model.path), "materialized": model.materialized},
            partitions_def=MONTHLY if model.partition_by else None,
            # a backfill of many months is one run and one statement, not a run per month
            backfill_policy=dg.BackfillPolicy.single_run() if model.partition_by else None,
        )

    @as_asset
    def _build(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        with warehouse.connect() as conn:
            months = context.partition_key_range if model.partition_by else None
            if months:
                rows = build_model(conn, model, months.start, months.end)
            else:
                rows = build_model(conn, model)
            preview, schema = _preview(conn, model)
            results = [run_test(conn, test) for test in model.tests]
        metadata: dict[str, Any] = {
            "dagster/column_schema": schema,
            "preview": dg.MetadataValue.md(preview),
        }
        if months and months.start != months.end:
            # every month of the range records this metadata: the count is the whole range's
            metadata["rows_in_range"] = rows
            metadata["range"] = f"{months.start} .. {months.end}"
        elif rows is not None:
            metadata["dagster/row_count"] = rows
        yield dg.MaterializeResult(metadata=metadata)
        for result in results:
            if not result.passed:
                context.log.warning(
                    f"{model.name}: {result.test.name} failed on {result.failures} rows "
                    f"(e.g. {', '.join(result.examples)})"
                )
            yield dg.AssetCheckResult(
                check_name=result.test.name,
                passed=result.passed,
                severity=dg.AssetCheckSeverity.ERROR
                if result.test.blocking
                else dg.AssetCheckSeverity.WARN,
                metadata={"failing_rows": result.failures, "examples": ", ".join(result.examples)},
            )

    return _build


def build_model_assets(project: ModelProject | None = None) -> list[dg.AssetsDefinition]:
    project = project or load_project()
    return [_model_asset(project.models[name]) for name in project.order]


# Incidents and tickets of a month keep resolving after it ends; refreshing the last few
# months keeps their time-to-resolve from being frozen at its first, optimistic value.
MONTHS_REFRESHED = 3


# The partitioned models by name: the job's selection needs no asset objects, so the schedule
# here and the monthly analysis' sensor can both target it.
monthly_marts_job = dg.define_asset_job(
    "monthly_marts_job",
    selection=dg.AssetSelection.assets(
        *(name for name, model in load_project().models.items() if model.partition_by)
    ),
    partitions_def=MONTHLY,
    description="One month of the monthly marts.",
)


@dg.schedule(job=monthly_marts_job, cron_schedule="0 6 1 * *", execution_timezone=TEAM_ZONE)
def monthly_marts_schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
    """Early on the 1st (the team's zone), build last month's partition and refresh the two
    before it."""
    moment = context.scheduled_execution_time.astimezone(ZoneInfo(TEAM_ZONE))
    tick = moment.strftime("%Y-%m-%d")
    month_start = moment.replace(day=1)
    requests = []
    for _ in range(MONTHS_REFRESHED):
        month_start = (month_start - timedelta(days=1)).replace(day=1)
        month = month_start.strftime("%Y-%m")
        # the months before TA_FIRST_MONTH are no partitions: asking for one failed the tick
        if month >= MONTHLY.start.strftime("%Y-%m"):
            requests.append(dg.RunRequest(run_key=f"{month}@{tick}", partition_key=month))
    return requests
