"""The dbt-like model project: `.sql` files with `ref()`/`source()` and their yml specs.

Reading only: the graph comes from the refs (never from SQL comments), and a missing ref,
a cycle or an inconsistent spec is an error that names the files involved. Building the
models is `warehouse.models`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

import yaml

from ticket_analytics.paths import MODELS_DIR

_REF = re.compile(r"\{\{\s*ref\(\s*['\"]([A-Za-z0-9_]+)['\"]\s*\)\s*\}\}")
_SOURCE = re.compile(
    r"\{\{\s*source\(\s*['\"]([A-Za-z0-9_]+)['\"]\s*,\s*['\"]([A-Za-z0-9_]+)['\"]\s*\)\s*\}\}"
)
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
_LEFTOVER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
# A comment, or a quoted string or identifier (kept whole, so `--` inside one is no comment).
_COMMENT_OR_QUOTED = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"", re.S)
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


def strip_sql_comments(sql: str) -> str:
    """`sql` without its `--` and `/* */` comments; quoted text is left as it is."""
    return _COMMENT_OR_QUOTED.sub(
        lambda m: m[0] if m[0][0] in "'\"" else ("" if m[0].startswith("--") else " "), sql
    )


def _declared_sources(spec: dict[str, Any], where: Path) -> list[tuple[str, str]]:
    """`depends_on: [schema.table]` in a model's yml: relations it reads through a function
    or macro, which its SQL cannot name (e.g. a catalog function written by another asset)."""
    declared = []
    for entry in (spec.get("config") or {}).get("depends_on") or []:
        schema, _, table = str(entry).partition(".")
        if not (_IDENTIFIER.match(schema) and _IDENTIFIER.match(table)):
            raise ModelError(f"{where}: depends_on entries are schema.table, got {entry!r}")
        declared.append((schema, table))
    return declared


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
        # a comment must never change the graph: refs and sources are read from the code only
        code = strip_sql_comments(sql)
        stripped = _SOURCE.sub("", _REF.sub("", code))
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
            refs=tuple(dict.fromkeys(_REF.findall(code))),
            sources=tuple(dict.fromkeys([*_SOURCE.findall(code), *_declared_sources(spec, spec_path)])),
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


