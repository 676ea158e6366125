"""Great Expectations suites on the staging models: warnings about what a Jira may send.

Keys (unique, not null) are the yml tests' job, blocking; these suites flag suspicious but
possible data and never stop a build, because a Jira may legitimately send any of it.
The suites are declared as plain data so the Dagster code location can describe every check
without importing Great Expectations, which takes seconds; GX is imported on the first
validation and its context and suites are then reused for the life of the process.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

MAX_EXAMPLES = 5
# Jira servers and our own clocks drift; only a day ahead counts as "in the future".
FUTURE_SLACK = timedelta(days=1)
_LATEST_PLAUSIBLE = {"$PARAMETER": "latest_plausible_time"}


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation: the GX class (by name) and its arguments, plus how a failure counts."""

    name: str
    description: str
    expectation: str
    kwargs: Mapping[str, Any]
    also_reads: tuple[str, ...] = ()


@dataclass(frozen=True)
class SuiteSpec:
    model: str
    query: str
    # An example names an offending row by the first of these that is not null.
    key_columns: tuple[str, ...]
    expectations: tuple[ExpectationSpec, ...]


@dataclass(frozen=True)
class ExpectationOutcome:
    name: str
    success: bool
    unexpected_count: int
    element_count: int
    examples: tuple[str, ...]


class GxValidationError(RuntimeError):
    """An expectation could not be evaluated at all (e.g. a column is missing)."""


def _warn(name: str, description: str, expectation: str, **kwargs: Any) -> ExpectationSpec:
    return ExpectationSpec(name, description, expectation, kwargs)


def _not_before(
    name: str, later: str, earlier: str, also_reads: tuple[str, ...] = ()
) -> ExpectationSpec:
    kwargs = {"column_A": later, "column_B": earlier, "or_equal": True}
    return ExpectationSpec(
        name,
        f"{later} is not before {earlier} (rows missing either are ignored)",
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {**kwargs, "ignore_row_if": "either_value_is_missing"},
        also_reads,
    )


def _not_in_future(name: str, column: str) -> ExpectationSpec:
    return _warn(
        name,
        f"{column} is at most a day after the validation time",
        "ExpectColumnValuesToBeBetween",
        column=column,
        max_value=_LATEST_PLAUSIBLE,
    )


def _not_empty(name: str, column: str) -> ExpectationSpec:
    return _warn(
        name,
        f"{column} is not empty",
        "ExpectColumnValueLengthsToBeBetween",
        column=column,
        min_value=1,
    )


_ISSUES = SuiteSpec(
    model="stg_jira__issues",
    query="""
        select issue_id, issue_key, summary, issue_type, status_category, priority,
            created_at, updated_at, resolved_at
        from main.stg_jira__issues
        order by issue_key, issue_id
    """,
    key_columns=("issue_key", "issue_id"),
    expectations=(
        _not_before("gx_resolved_after_created", "resolved_at", "created_at"),
        _not_before("gx_updated_after_created", "updated_at", "created_at"),
        _warn(
            "gx_status_category_known",
            "status_category is new, indeterminate or done (old Jira servers send none; "
            "'unknown' when Jira sent no status)",
            "ExpectColumnValuesToBeInSet",
            column="status_category",
            value_set=["new", "indeterminate", "done"],
        ),
        _not_empty("gx_summary_not_empty", "summary"),
        _warn(
            "gx_priority_mostly_set",
            "at least 95% of issues have a priority (Jira sends none when the field is hidden)",
            "ExpectColumnValuesToNotBeInSet",
            column="priority",
            value_set=["(unknown)"],
            mostly=0.95,
        ),
        _warn(
            "gx_issue_type_known",
            "every issue has an issue type (Jira sends none when the account may not see it)",
            "ExpectColumnValuesToNotBeInSet",
            column="issue_type",
            value_set=["(unknown)"],
        ),
        _not_in_future("gx_created_not_in_future", "created_at"),
    ),
)

_STATUS_CHANGES = SuiteSpec(
    model="stg_jira__status_changes",
    # issue keys name the examples; one row per issue_id, as for comments below
    query="""
        select changes.status_change_id, issues.issue_key, changes.from_status,
            changes.to_status, changes.changed_at
        from main.stg_jira__status_changes as changes
        left join (
            select issue_id, min(issue_key) as issue_key
            from main.stg_jira__issues
            group by issue_id
        ) as issues using (issue_id)
        order by issues.issue_key, changes.status_change_id
    """,
    key_columns=("issue_key", "status_change_id"),
    expectations=(
        _warn(
            "gx_to_status_named",
            "every status change names its target status ('(unknown)' when Jira sent none)",
            "ExpectColumnValuesToNotBeInSet",
            column="to_status",
            value_set=["(unknown)"],
        ),
        _warn(
            "gx_from_status_differs",
            "from_status differs from to_status (else the transition changes nothing)",
            "ExpectSelectColumnValuesToBeUniqueWithinRecord",
            column_list=["from_status", "to_status"],
        ),
        _not_in_future("gx_changed_not_in_future", "changed_at"),
    ),
)

_COMMENTS = SuiteSpec(
    model="stg_jira__comments",
    # One row per issue_id, so a duplicated issue cannot fan out comments and fail the
    # comment_key checks for a problem that belongs to stg_jira__issues.
    query="""
        select comments.comment_key, issues.issue_key, comments.body_text,
            comments.created_at, issues.issue_created_at
        from main.stg_jira__comments as comments
        left join (
            select issue_id, min(issue_key) as issue_key, min(created_at) as issue_created_at
            from main.stg_jira__issues
            group by issue_id
        ) as issues using (issue_id)
        order by issues.issue_key, comments.comment_key
    """,
    key_columns=("issue_key", "comment_key"),
    expectations=(
        _not_before(
            "gx_comment_after_issue_created",
            "created_at",
            "issue_created_at",
            also_reads=("stg_jira__issues",),
        ),
        _not_empty("gx_body_not_empty", "body_text"),
    ),
)

SUITES: dict[str, SuiteSpec] = {s.model: s for s in (_ISSUES, _STATUS_CHANGES, _COMMENTS)}


def load_frame(conn: duckdb.DuckDBPyConnection, model: str) -> pd.DataFrame:
    """The rows a suite validates; read apart so the warehouse can be closed before GX runs."""
    return conn.sql(SUITES[model].query).df()


def validate_model(
    conn: duckdb.DuckDBPyConnection, model: str, names: Collection[str] | None = None
) -> tuple[ExpectationOutcome, ...]:
    return validate_frame(model, load_frame(conn, model), names)


def validate_frame(
    model: str, frame: pd.DataFrame, names: Collection[str] | None = None
) -> tuple[ExpectationOutcome, ...]:
    """Validate `frame` with the model's suite; `names` limits the outcomes returned."""
    suite = SUITES[model]
    runtime = _runtime()
    with runtime.lock:
        batch = runtime.batches[model].get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(
            runtime.suites[model],
            result_format={
                "result_format": "SUMMARY",
                "unexpected_index_column_names": list(suite.key_columns),
            },
            expectation_parameters={"latest_plausible_time": datetime.now(UTC) + FUTURE_SLACK},
        )
    # GX does not keep the suite's order in its results.
    by_name = {r.expectation_config.meta["check"]: r for r in result.results}
    outcomes = []
    for spec in suite.expectations:
        if names is not None and spec.name not in names:
            continue
        item = by_name[spec.name]
        if error := _exception_message(item.exception_info):
            raise GxValidationError(f"{model}: {spec.name} could not be evaluated: {error}")
        outcomes.append(
            ExpectationOutcome(
                name=spec.name,
                success=bool(item.success),
                unexpected_count=int(item.result.get("unexpected_count") or 0),
                element_count=int(item.result.get("element_count") or 0),
                examples=_examples(
                    item.result.get("partial_unexpected_index_list") or (), suite.key_columns
                ),
            )
        )
    return tuple(outcomes)


def _exception_message(info: Mapping[str, Any]) -> str | None:
    # Flat for an expectation's own error, keyed by metric id when its metrics failed.
    entries = [info] if "raised_exception" in info else list(info.values())
    for entry in entries:
        if isinstance(entry, Mapping) and entry.get("raised_exception"):
            return str(entry.get("exception_message") or "unknown error")
    return None


def _examples(rows: Iterable[Mapping[str, Any]], key_columns: tuple[str, ...]) -> tuple[str, ...]:
    import pandas as pd

    keys: dict[str, None] = {}
    for row in rows:
        present = [row.get(c) for c in key_columns if not pd.isna(row.get(c))]
        if present:
            keys[str(present[0])] = None
        if len(keys) == MAX_EXAMPLES:
            break
    return tuple(keys)


@dataclass(frozen=True)
class _Runtime:
    lock: threading.Lock
    batches: dict[str, Any]
    suites: dict[str, Any]


_RUNTIME_LOCK = threading.Lock()


def _runtime() -> _Runtime:
    # The cache alone would let two threads both build it on first use.
    with _RUNTIME_LOCK:
        return _build_runtime()


@cache
def _build_runtime() -> _Runtime:
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        # the warehouse is offline and private: no usage statistics
        analytics_enabled=False,
        # tqdm bars would interleave with Dagster's logs, and GX ignores TQDM_DISABLE
        progress_bars=ProgressBarsConfig(globally=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    source = context.data_sources.add_pandas(name="warehouse")
    batches: dict[str, Any] = {}
    suites: dict[str, Any] = {}
    for model, spec in SUITES.items():
        asset = source.add_dataframe_asset(name=model)
        batches[model] = asset.add_batch_definition_whole_dataframe("whole_table")
        suite = context.suites.add(gx.ExpectationSuite(name=model))
        for expectation in spec.expectations:
            cls = getattr(gx.expectations, expectation.expectation)
            suite.add_expectation(cls(**expectation.kwargs, meta={"check": expectation.name}))
        suites[model] = suite
    return _Runtime(lock=threading.Lock(), batches=batches, suites=suites)
