"""Building the dbt-like models: each in its own transaction, and their column tests.

Each model is built in its own transaction (`create or replace`), so a failing model leaves
its previous version in place. The project (files, specs, graph) is `model_project`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from ticket_analytics.warehouse.model_project import (
    ColumnTest,
    Model,
    ModelError,
    ModelProject,
)


@dataclass(frozen=True)
class TestResult:
    test: ColumnTest
    failures: int
    examples: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return self.failures == 0


def month_start(partition: str) -> datetime:
    """The first wall-clock instant of a `YYYY-MM` partition key, in no zone yet.

    Partition keys mean months in the team's zone. The bound value is a plain timestamp,
    and the models' `$month_start::timestamptz` reads it in the session's `TimeZone`, which
    the connection sets to the team's zone: one setting decides both, so they cannot differ.
    """
    try:
        return datetime.strptime(partition, "%Y-%m")
    except ValueError as exc:
        raise ModelError(f"partition {partition!r} is not a month like 2025-10") from exc


def month_bounds(first: str, last: str) -> dict[str, datetime]:
    """`$month_start` and `$month_end` (exclusive) of the months `first` .. `last`, wall clock."""
    start, end = month_start(first), month_start(last)
    if end < start:
        raise ModelError(f"month range {first} .. {last} ends before it starts")
    return {
        "month_start": start,
        "month_end": end.replace(year=end.year + end.month // 12, month=end.month % 12 + 1),
    }


def _match_partitioned_schema(
    conn: duckdb.DuckDBPyConnection, model: Model, body: str, params: dict[str, Any]
) -> None:
    """Drop a partitioned table whose columns no longer match its SQL.

    Its other months are gone then and need a backfill (`ticket-analytics build` rebuilds
    every month); keeping rows of two shapes in one table would be worse.
    """
    existing = conn.execute(
        "select column_name from information_schema.columns"
        " where table_schema = 'main' and table_name = ? order by ordinal_position",
        [model.name],
    ).fetchall()
    if not existing:
        return
    # a relation only binds its query: the columns come without running the model
    wanted = conn.sql(body, params=params).columns
    if [c for (c,) in existing] != wanted:
        drop = f"drop table {_target(model)}"
        conn.execute(drop)


def build_model(
    conn: duckdb.DuckDBPyConnection,
    model: Model,
    partition: str | None = None,
    last_partition: str | None = None,
) -> int | None:
    """Create or replace the model (or some months of it) in one transaction; returns its rows.

    A view returns None: counting its rows would compute all of it.

    Month-partitioned models replace only the rows of the months `partition` ..
    `last_partition` (their `month` column), built in one statement, so backfills and
    re-runs never touch the other months.
    """
    table = _target(model)
    if model.partition_by and partition is None:
        raise ModelError(f"{model.path}: {model.name} is partitioned by month: give a partition")
    first, last = partition, last_partition or partition
    params = month_bounds(first, last) if first and last else {}
    # Models promise no row order (readers sort); keeping it costs about 5% of a rebuild.
    conn.execute("set preserve_insertion_order = false")
    conn.execute("begin transaction")
    try:
        if model.partition_by:
            body = model.rendered_sql()
            _match_partitioned_schema(conn, model, body, params)
            # Only the target (see `_target`) and the model's own SQL are formatted in; the
            # months are bound.
            create = f"create table if not exists {table} as select * from ({body}) where false"
            clear = f"delete from {table} where month between ? and ?"
            fill = f"insert into {table} by name {body}"
            conn.execute(create, params)
            conn.execute(clear, [first, last])
            conn.execute(fill, params)
        elif model.materialized == "seed":
            conn.execute(
                f"create or replace table {table} as select * from read_csv(?, header = true)",
                [str(model.path)],
            )
        else:
            kind = "view" if model.materialized == "view" else "table"
            create = f"create or replace {kind} {table} as\n{model.rendered_sql()}"
            conn.execute(create)
        conn.execute("commit")
    except duckdb.Error as exc:
        conn.execute("rollback")
        raise ModelError(f"{model.path}: build failed: {exc}") from exc
    finally:
        conn.execute("reset preserve_insertion_order")
    # query_table() takes the table's name as a bound value, so counting needs no formatting
    if model.partition_by:
        return int(
            conn.execute(
                "select count(*) from query_table(?) where month between ? and ?",
                [f"main.{model.name}", first, last],
            ).fetchall()[0][0]
        )
    if model.materialized == "view":
        return None
    count = conn.execute("select count(*) from query_table(?)", [f"main.{model.name}"])
    return int(count.fetchall()[0][0])


def _target(model: Model) -> str:
    """The model's table as it appears in the statements that create, fill or drop it.

    The target of DDL and DML cannot be a bound parameter, so it is formatted into them;
    model names are checked against `_IDENTIFIER` when the project loads, so it can only be
    a plain identifier.
    """
    return f'"main"."{model.name}"'


def _test_query(test: ColumnTest) -> tuple[str, list[Any]]:
    table, column = f'"main"."{test.model}"', f'"{test.column}"'
    if test.kind == "unique":
        return (
            f"select {column}::varchar as example from {table} where {column} is not null "
            f"group by {column} having count(*) > 1",
            [],
        )
    if test.kind == "not_null":
        return (
            f"select 'row ' || row_number() over () as example from {table} where {column} is null",
            [],
        )
    if test.kind == "accepted_values":
        return (
            f"select distinct {column}::varchar as example from {table} "
            f"where {column} is not null and not list_contains(?, {column}::varchar)",
            [[str(v) for v in test.values]],
        )
    parent, parent_column = f'"main"."{test.to_model}"', f'"{test.to_column}"'
    return (
        f"select distinct child.{column}::varchar as example from {table} as child "
        f"left join {parent} as parent on child.{column} = parent.{parent_column} "
        f"where child.{column} is not null and parent.{parent_column} is null",
        [],
    )


def run_test(conn: duckdb.DuckDBPyConnection, test: ColumnTest, examples: int = 5) -> TestResult:
    """Count the rows violating `test`, with a few example values for the UI."""
    query, params = _test_query(test)
    count = f"select count(*) from ({query})"
    first_examples = f"select example from ({query}) order by example limit ?"
    failures = conn.execute(count, params).fetchall()[0]
    sample = conn.execute(first_examples, [*params, examples])
    return TestResult(
        test=test,
        failures=int(failures[0]),
        examples=tuple(str(r[0]) for r in sample.fetchall()),
    )


def build_project(
    conn: duckdb.DuckDBPyConnection, project: ModelProject, months: Iterable[str] = ()
) -> dict[str, int | None]:
    """Build every model in order, month-partitioned ones over the range spanning `months`,
    and run each model's tests as the Dagster assets do: a blocking failure stops the build.

    Dagster builds the same models asset by asset with the same two calls (`build_model`,
    `run_test`); this is the one-connection form for benchmarks and tests.
    """
    months = sorted(months)
    rows: dict[str, int | None] = {}
    for name in project.order:
        model = project.models[name]
        if model.partition_by and not months:
            continue
        rows[name] = (
            build_model(conn, model, months[0], months[-1])
            if model.partition_by
            else build_model(conn, model)
        )
        for test in model.tests:
            result = run_test(conn, test)
            if test.blocking and not result.passed:
                raise ModelError(
                    f"{model.path}: blocking test {test.name} failed on {result.failures} rows "
                    f"(e.g. {', '.join(result.examples)})"
                )
    return rows
