"""A small dbt-like model runner: `.sql` files with `ref()`/`source()`, yml specs, tests.

Each model is built in its own transaction (`create or replace`), so a failing model leaves
its previous version in place. The graph comes from the refs; a missing ref or a cycle is an
error that names the files involved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

import duckdb
import yaml

from ticket_analytics.paths import MODELS_DIR

_REF = re.compile(r"\{\{\s*ref\(\s*['\"]([A-Za-z0-9_]+)['\"]\s*\)\s*\}\}")
_SOURCE = re.compile(
    r"\{\{\s*source\(\s*['\"]([A-Za-z0-9_]+)['\"]\s*,\s*['\"]([A-Za-z0-9_]+)['\"]\s*\)\s*\}\}"
)
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
_LEFTOVER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
MATERIALIZATIONS = ("table", "view", "seed", "incremental")
TEST_KINDS = ("unique", "not_null", "accepted_values", "relationships")


class ModelError(ValueError):
    """The model project is inconsistent; the message names the files."""


@dataclass(frozen=True)
class ColumnTest:
    model: str
    column: str
    kind: str
    severity: str = "error"
    values: tuple[Any, ...] = ()
    to_model: str | None = None
    to_column: str | None = None

    @property
    def name(self) -> str:
        return f"{self.kind}__{self.column}"

    @property
    def blocking(self) -> bool:
        return self.severity == "error"


@dataclass(frozen=True)
class Model:
    name: str
    path: Path
    sql: str
    refs: tuple[str, ...]
    sources: tuple[tuple[str, str], ...]
    group: str
    materialized: str = "table"
    partition_by: str | None = None
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    tests: tuple[ColumnTest, ...] = ()

    @property
    def deps(self) -> tuple[str, ...]:
        """Models this one needs first: its refs, and the parents its relationship tests read."""
        parents = (t.to_model for t in self.tests if t.to_model and t.to_model != self.name)
        return tuple(dict.fromkeys([*self.refs, *parents]))

    def rendered_sql(self) -> str:
        sql = _REF.sub(lambda m: f'"main"."{m[1]}"', self.sql)
        return _SOURCE.sub(lambda m: f'"{m[1]}"."{m[2]}"', sql)


@dataclass(frozen=True)
class TestResult:
    test: ColumnTest
    failures: int
    examples: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return self.failures == 0


@dataclass(frozen=True)
class ModelProject:
    models: dict[str, Model]
    order: tuple[str, ...]


def _parse_tests(model: str, column: str, specs: Iterable[Any], where: str) -> list[ColumnTest]:
    tests = []
    for spec in specs:
        options: dict[str, Any]
        if isinstance(spec, str):
            kind, options = spec, {}
        elif isinstance(spec, dict) and len(spec) == 1:
            kind, options = next(iter(spec.items()))
            options = options or {}
        else:
            raise ModelError(f"{where}: column {column!r}: cannot read test {spec!r}")
        if kind not in TEST_KINDS:
            raise ModelError(
                f"{where}: column {column!r}: unknown test {kind!r} ({', '.join(TEST_KINDS)})"
            )
        severity = str(options.get("severity", "error")).lower()
        if severity not in ("error", "warn"):
            raise ModelError(f"{where}: column {column!r}: severity must be error or warn")
        to_model = None
        if kind == "relationships":
            match = _REF.fullmatch("{{ " + str(options.get("to", "")) + " }}")
            if not match or "field" not in options:
                raise ModelError(
                    f"{where}: column {column!r}: relationships needs to: ref('model') and field"
                )
            to_model = match[1]
            if not _IDENTIFIER.match(str(options["field"])):
                raise ModelError(
                    f"{where}: column {column!r}: relationships field must be snake_case"
                )
        if kind == "accepted_values" and not options.get("values"):
            raise ModelError(f"{where}: column {column!r}: accepted_values needs values")
        tests.append(
            ColumnTest(
                model=model,
                column=column,
                kind=kind,
                severity=severity,
                values=tuple(options.get("values") or ()),
                to_model=to_model,
                to_column=options.get("field"),
            )
        )
    return tests


def _read_specs(directory: Path) -> dict[str, tuple[dict[str, Any], Path]]:
    specs: dict[str, tuple[dict[str, Any], Path]] = {}
    for path in sorted([*directory.rglob("*.yml"), *directory.rglob("*.yaml")]):
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ModelError(f"{path}: invalid YAML: {exc}") from exc
        for entry in document.get("models") or []:
            name = entry.get("name") if isinstance(entry, dict) else None
            if not name:
                raise ModelError(f"{path}: every model entry needs a name")
            if name in specs:
                raise ModelError(f"{path}: model {name!r} is also described in {specs[name][1]}")
            specs[name] = (entry, path)
    return specs


def load_project(directory: Path = MODELS_DIR) -> ModelProject:
    """Read every model and its yml spec, check the graph, and order it."""
    specs = _read_specs(directory)
    models: dict[str, Model] = {}
    for path in sorted([*directory.rglob("*.sql"), *directory.rglob("*.csv")]):
        name = path.stem
        # Names become SQL identifiers, which cannot be bound as parameters: allow only safe ones.
        if not _IDENTIFIER.match(name):
            raise ModelError(f"{path}: model names are lowercase snake_case")
        if name in models:
            raise ModelError(f"{path}: model name {name!r} is also used by {models[name].path}")
        sql = "" if path.suffix == ".csv" else path.read_text(encoding="utf-8")
        stripped = _SOURCE.sub("", _REF.sub("", sql))
        if leftover := _LEFTOVER.search(stripped):
            raise ModelError(f"{path}: unsupported template expression {leftover[0]!r}")
        spec, spec_path = specs.get(name, ({}, path))
        config = spec.get("config") or {}
        materialized = "seed" if path.suffix == ".csv" else config.get("materialized", "table")
        if materialized not in MATERIALIZATIONS:
            raise ModelError(f"{spec_path}: {name}: materialized must be one of {MATERIALIZATIONS}")
        partition_by = config.get("partition_by")
        if (materialized == "incremental") != (partition_by == "month"):
            raise ModelError(
                f"{spec_path}: {name}: incremental models need partition_by: month (and only they)"
            )
        if partition_by and not ("$month_start" in sql and "$month_end" in sql):
            raise ModelError(
                f"{path}: a month-partitioned model must filter on $month_start and $month_end"
            )
        columns: dict[str, str] = {}
        tests: list[ColumnTest] = []
        for column in spec.get("columns") or []:
            if not _IDENTIFIER.match(str(column.get("name", ""))):
                raise ModelError(f"{spec_path}: {name}: column names are lowercase snake_case")
            columns[column["name"]] = column.get("description", "")
            tests += _parse_tests(name, column["name"], column.get("tests") or [], str(spec_path))
        relative = path.relative_to(directory)
        models[name] = Model(
            name=name,
            path=path,
            sql=sql,
            refs=tuple(dict.fromkeys(_REF.findall(sql))),
            sources=tuple(dict.fromkeys(_SOURCE.findall(sql))),
            group=relative.parts[0] if len(relative.parts) > 1 else "models",
            materialized=materialized,
            partition_by=partition_by,
            description=str(spec.get("description", "")).strip(),
            columns=columns,
            tests=tuple(tests),
        )
    for name, (_, spec_path) in specs.items():
        if name not in models:
            raise ModelError(f"{spec_path}: describes {name!r}, but there is no {name}.sql")
    for model in models.values():
        for ref in model.refs:
            if ref not in models:
                raise ModelError(
                    f"{model.path}: ref('{ref}') names no model (no {ref}.sql under {directory})"
                )
        for test in model.tests:
            if test.to_model and test.to_model not in models:
                raise ModelError(
                    f"{model.path}: relationships test refers to unknown model {test.to_model!r}"
                )
    try:
        order = tuple(
            TopologicalSorter({n: m.deps for n, m in sorted(models.items())}).static_order()
        )
    except CycleError as exc:
        cycle = exc.args[1]
        files = " -> ".join(str(models[n].path.relative_to(directory)) for n in cycle)
        raise ModelError(f"cycle between models: {files}") from exc
    return ModelProject(models=models, order=order)


def month_start(partition: str) -> datetime:
    """The first instant (UTC) of a `YYYY-MM` partition key."""
    try:
        return datetime.strptime(partition, "%Y-%m").replace(tzinfo=UTC)
    except ValueError as exc:
        raise ModelError(f"partition {partition!r} is not a month like 2025-10") from exc


def month_bounds(first: str, last: str) -> dict[str, datetime]:
    """`$month_start` and `$month_end` (exclusive) of the months `first` .. `last`."""
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
        conn.execute(f"drop table {_target(model)}")


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
            conn.execute(
                f"create table if not exists {table} as select * from ({body}) where false", params
            )
            conn.execute(f"delete from {table} where month between ? and ?", [first, last])
            conn.execute(f"insert into {table} by name {body}", params)
        elif model.materialized == "seed":
            conn.execute(
                f"create or replace table {table} as select * from read_csv(?, header = true)",
                [str(model.path)],
            )
        else:
            kind = "view" if model.materialized == "view" else "table"
            conn.execute(f"create or replace {kind} {table} as\n{model.rendered_sql()}")
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
    failures = conn.execute(f"select count(*) from ({query})", params).fetchall()[0]
    sample = conn.execute(
        f"select example from ({query}) order by example limit {examples:d}", params
    )
    return TestResult(
        test=test,
        failures=int(failures[0]),
        examples=tuple(str(r[0]) for r in sample.fetchall()),
    )


def build_all(
    conn: duckdb.DuckDBPyConnection,
    project: ModelProject | None = None,
    months: Iterable[str] = (),
) -> dict[str, int | None]:
    """Build every model in order, month-partitioned ones for the range spanning `months`.

    Benchmarks and tests use it; Dagster builds the same models asset by asset.
    """
    project = project or load_project()
    months = sorted(months)
    rows: dict[str, int | None] = {}
    for name in project.order:
        model = project.models[name]
        if not model.partition_by:
            rows[name] = build_model(conn, model)
        else:
            rows[name] = build_model(conn, model, months[0], months[-1]) if months else 0
    return rows
