"""The dbt-like runner: refs, order, errors naming files, transactional builds, column tests."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ticket_analytics.warehouse.connection import connect
from ticket_analytics.warehouse.model_project import ModelError, load_project
from ticket_analytics.warehouse.models import build_model, run_test


def _project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def conn(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    with connect(tmp_path / "w.duckdb") as connection:
        connection.execute(
            "insert into raw.rejected_issues values ('r1', 's', 'l', '1', 'OPS-1', 'why', null, now())"
        )
        yield connection


def test_models_are_ordered_by_their_refs_and_grouped_by_folder(tmp_path: Path) -> None:
    root = _project(
        tmp_path / "m",
        {
            "marts/c.sql": "select * from {{ ref('b') }}",
            "staging/a.sql": "select 1 as id from {{ source('raw', 'issues') }}",
            "intermediate/b.sql": "select * from {{ ref( 'a' ) }} join {{ ref(\"a\") }} using (id)",
        },
    )
    project = load_project(root)
    assert project.order == ("a", "b", "c")
    assert project.models["b"].refs == ("a",)
    assert project.models["a"].sources == (("raw", "issues"),)
    assert project.models["c"].group == "marts"


def test_a_missing_ref_is_an_error_naming_the_file(tmp_path: Path) -> None:
    root = _project(tmp_path / "m", {"staging/a.sql": "select * from {{ ref('nope') }}"})
    with pytest.raises(ModelError, match=r"a\.sql: ref\('nope'\) names no model"):
        load_project(root)


def test_a_cycle_is_an_error_naming_every_file_in_it(tmp_path: Path) -> None:
    root = _project(
        tmp_path / "m",
        {
            "a.sql": "select * from {{ ref('c') }}",
            "b.sql": "select * from {{ ref('a') }}",
            "c.sql": "select * from {{ ref('b') }}",
            "d.sql": "select 1",
        },
    )
    with pytest.raises(ModelError, match="cycle") as error:
        load_project(root)
    assert all(f"{n}.sql" in str(error.value) for n in "abc")
    assert "d.sql" not in str(error.value)


def test_unsupported_templating_and_unknown_tests_are_rejected(tmp_path: Path) -> None:
    root = _project(tmp_path / "m", {"a.sql": "select {{ var('x') }}"})
    with pytest.raises(ModelError, match="unsupported template"):
        load_project(root)
    root = _project(
        tmp_path / "n",
        {
            "a.sql": "select 1 as id",
            "_a.yml": "models:\n  - name: a\n    columns:\n      - name: id\n        tests: [positive]\n",
        },
    )
    with pytest.raises(ModelError, match=r"_a\.yml.*unknown test 'positive'"):
        load_project(root)


def test_a_failing_model_keeps_its_previous_version(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    good = _project(tmp_path / "good", {"a.sql": "select 1 as id"})
    build_model(conn, load_project(good).models["a"])
    bad = _project(tmp_path / "bad", {"a.sql": "select id from no_such_table"})
    with pytest.raises(ModelError, match=r"a\.sql: build failed"):
        build_model(conn, load_project(bad).models["a"])
    assert conn.sql("select * from a").fetchall() == [(1,)]


def test_views_and_tables_follow_the_yml_materialization(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    root = _project(
        tmp_path / "m",
        {
            "a.sql": "select issue_key from {{ source('raw', 'rejected_issues') }}",
            "_m.yml": "models:\n  - name: a\n    description: keys\n    config: {materialized: view}\n",
        },
    )
    model = load_project(root).models["a"]
    assert (model.materialized, model.description) == ("view", "keys")
    # a view is not counted: that would compute all of it
    assert build_model(conn, model) is None
    assert conn.sql("select count(*) from a").fetchall() == [(1,)]
    kind = conn.sql(
        "select table_type from information_schema.tables where table_name = 'a'"
    ).fetchall()
    assert kind == [("VIEW",)]


def test_column_tests_find_bad_rows_with_examples(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    root = _project(
        tmp_path / "m",
        {
            "parent.sql": "select * from (values (1), (2)) t(id)",
            "child.sql": (
                "select * from (values (1, 1, 'new'), (1, 3, 'done'), (null, 2, 'weird')) t(id, parent_id, state)"
                " where exists (select 1 from {{ ref('parent') }})"
            ),
            "_m.yml": """
models:
  - name: child
    columns:
      - name: id
        tests: [unique, not_null]
      - name: state
        tests:
          - accepted_values: {values: [new, done], severity: warn}
      - name: parent_id
        tests:
          - relationships: {to: ref('parent'), field: id}
""",
        },
    )
    project = load_project(root)
    for name in project.order:
        build_model(conn, project.models[name])
    results = {t.name: run_test(conn, t) for t in project.models["child"].tests}
    assert (results["unique__id"].failures, results["unique__id"].examples) == (1, ("1",))
    assert results["not_null__id"].failures == 1
    assert results["accepted_values__state"].examples == ("weird",)
    assert not results["accepted_values__state"].test.blocking
    assert results["relationships__parent_id"].examples == ("3",)
    assert results["relationships__parent_id"].test.blocking


def test_the_project_models_load_and_the_staging_keys_are_tested() -> None:
    project = load_project()
    issues = project.models["stg_jira__issues"]
    assert {t.name for t in issues.tests} >= {"unique__issue_id", "not_null__issue_id"}
    assert all(project.models[name].description for name in project.order)


_EACH_MONTH = " from range($month_start::timestamptz, $month_end::timestamptz, interval 1 month)"


def test_a_partitioned_model_replaces_only_its_months_and_survives_a_column_change(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    yml = "models:\n  - name: m\n    config: {materialized: incremental, partition_by: month}\n"
    first = _project(
        tmp_path / "v1",
        {
            "m.sql": "select strftime(range, '%Y-%m') as month, 1 as n" + _EACH_MONTH,
            "_m.yml": yml,
        },
    )
    model = load_project(first).models["m"]
    for month in ("2025-09", "2025-10", "2025-10"):
        assert build_model(conn, model, month) == 1
    assert conn.sql("select month, n from m order by month").fetchall() == [
        ("2025-09", 1),
        ("2025-10", 1),
    ]
    with pytest.raises(ModelError, match="give a partition"):
        build_model(conn, model)
    # a range is one statement over every month in it, and leaves the months outside alone
    assert build_model(conn, model, "2025-10", "2025-12") == 3
    assert conn.sql("select month from m order by month").fetchall() == [
        ("2025-09",),
        ("2025-10",),
        ("2025-11",),
        ("2025-12",),
    ]
    with pytest.raises(ModelError, match="ends before it starts"):
        build_model(conn, model, "2025-12", "2025-10")

    second = _project(
        tmp_path / "v2",
        {
            "m.sql": "select strftime(range, '%Y-%m') as month, 2 as n, 'x' as extra" + _EACH_MONTH,
            "_m.yml": yml,
        },
    )
    assert build_model(conn, load_project(second).models["m"], "2025-10") == 1
    assert conn.sql("select month, n, extra from m").fetchall() == [("2025-10", 2, "x")]


def test_a_comment_never_changes_the_graph(tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text("select 1 as x\n", encoding="utf-8")
    (tmp_path / "b.sql").write_text(
        "-- was {{ ref('a') }}, and {{ source('raw', 'gone') }} before that\n"
        "/* {{ ref('a') }} */\n"
        "select '-- not a comment' as x, 1 as \"--y\"\n",
        encoding="utf-8",
    )
    (tmp_path / "c.sql").write_text("select * from {{ ref('a') }} -- reads a\n", encoding="utf-8")
    project = load_project(tmp_path)
    assert project.models["b"].refs == () and project.models["b"].sources == ()
    assert project.models["c"].refs == ("a",)


def test_a_model_declares_what_its_sql_cannot_name_in_yml(tmp_path: Path) -> None:
    (tmp_path / "m.sql").write_text("select catalog.rule_category('x') as c\n", encoding="utf-8")
    (tmp_path / "_m.yml").write_text(
        "models:\n  - name: m\n    config: {depends_on: [catalog.category_hints]}\n",
        encoding="utf-8",
    )
    assert load_project(tmp_path).models["m"].sources == (("catalog", "category_hints"),)
    (tmp_path / "_m.yml").write_text(
        "models:\n  - name: m\n    config: {depends_on: ['drop table x']}\n", encoding="utf-8"
    )
    with pytest.raises(ModelError, match="depends_on"):
        load_project(tmp_path)
