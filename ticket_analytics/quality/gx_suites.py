"""Great Expectations suites on the staging models.

The suites are declared as plain data so the Dagster code location can describe every check
without importing Great Expectations, which takes seconds; GX is imported on the first
validation and its context and suites are then reused for the life of the process.
"""

from __future__ import annotations

import os
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
_KNOWN_STATUS_CATEGORIES = ["new", "indeterminate", "done"]


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation: the GX class (by name) and its arguments, plus how a failure counts."""

    name: str
    blocking: bool
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
    blocking: bool
    success: bool
    unexpected_count: int
    element_count: int
    examples: tuple[str, ...]


class GxValidationError(RuntimeError):
    """An expectation could not be evaluated at all (e.g. a column is missing)."""


def _blocking(name: str, description: str, expectation: str, **kwargs: Any) -> ExpectationSpec:
    return ExpectationSpec(name, True, description, expectation, kwargs)


def _warn(
    name: str, description: str, expectation: str, also_reads: tuple[str, ...] = (), **kwargs: Any
) -> ExpectationSpec:
    return ExpectationSpec(name, False, description, expectation, kwargs, also_reads)


def _not_before(name: str, later: str, earlier: str, description: str) -> ExpectationSpec:
    return _warn(
        name,
        description,
        "ExpectColumnPairValuesAToBeGreaterThanB",
        column_A=later,
        column_B=earlier,
        or_equal=True,
        ignore_row_if="either_value_is_missing",
    )


def _unique_and_present(column: str) -> tuple[ExpectationSpec, ...]:
    return (
        _blocking(
            f"gx_{column}_unique",
            f"{column} is unique",
            "ExpectColumnValuesToBeUnique",
            column=column,
        ),
        _not_null(column),
    )


def _not_null(column: str) -> ExpectationSpec:
    return _blocking(
        f"gx_{column}_not_null",
        f"{column} is never null",
        "ExpectColumnValuesToNotBeNull",
        column=column,
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


SUITES: dict[str, SuiteSpec] = {
    suite.model: suite
    for suite in (
        SuiteSpec(
            model="stg_jira__issues",
            query="""
                select issue_id, issue_key, summary, status_category, priority,
                    created_at, updated_at, resolved_at
                from main.stg_jira__issues
                order by issue_key, issue_id
            """,
            key_columns=("issue_key", "issue_id"),
            expectations=(
                *_unique_and_present("issue_id"),
                _not_null("issue_key"),
                _not_before(
                    "gx_resolved_after_created",
                    "resolved_at",
                    "created_at",
                    "resolved_at is not before created_at (unresolved issues are ignored)",
                ),
                _not_before(
                    "gx_updated_after_created",
                    "updated_at",
                    "created_at",
                    "updated_at is not before created_at",
                ),
                _warn(
                    "gx_status_category_known",
                    "status_category is new, indeterminate or done (old Jira servers send none)",
                    "ExpectColumnValuesToBeInSet",
                    column="status_category",
                    value_set=_KNOWN_STATUS_CATEGORIES,
                ),
                _not_empty("gx_summary_not_empty", "summary"),
                _warn(
                    "gx_priority_mostly_set",
                    "at least 95% of issues have a priority",
                    "ExpectColumnValuesToNotBeNull",
                    column="priority",
                    mostly=0.95,
                ),
                _not_in_future("gx_created_not_in_future", "created_at"),
            ),
        ),
        SuiteSpec(
            model="stg_jira__status_changes",
            query="""
                select status_change_id, issue_key, from_status, to_status, changed_at
                from main.stg_jira__status_changes
                order by issue_key, status_change_id
            """,
            key_columns=("issue_key", "status_change_id"),
            expectations=(
                *_unique_and_present("status_change_id"),
                _warn(
                    "gx_to_status_not_null",
                    "every transition names the status entered",
                    "ExpectColumnValuesToNotBeNull",
                    column="to_status",
                ),
                _warn(
                    "gx_from_status_differs",
                    "from_status differs from to_status (a transition that changes nothing)",
                    "ExpectSelectColumnValuesToBeUniqueWithinRecord",
                    column_list=["from_status", "to_status"],
                ),
                _not_in_future("gx_changed_not_in_future", "changed_at"),
            ),
        ),
        SuiteSpec(
            model="stg_jira__comments",
            # Aggregated per issue so a duplicated issue_id cannot fan out comment rows and make
            # the comment_key checks fail for a problem that belongs to stg_jira__issues.
            query="""
                select comments.comment_key, comments.issue_key, comments.body_text,
                    comments.created_at, issues.issue_created_at
                from main.stg_jira__comments as comments
                left join (
                    select issue_id, min(created_at) as issue_created_at
                    from main.stg_jira__issues
                    group by issue_id
                ) as issues using (issue_id)
                order by comments.issue_key, comments.comment_key
            """,
            key_columns=("issue_key", "comment_key"),
            expectations=(
                *_unique_and_present("comment_key"),
                _warn(
                    "gx_comment_after_issue_created",
                    "a comment is not older than its issue",
                    "ExpectColumnPairValuesAToBeGreaterThanB",
                    also_reads=("stg_jira__issues",),
                    column_A="created_at",
                    column_B="issue_created_at",
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                ),
                _not_empty("gx_body_not_empty", "body_text"),
            ),
        ),
    )
}


def load_frame(conn: duckdb.DuckDBPyConnection, model: str) -> pd.DataFrame:
    """The rows a suite validates; read separately so the warehouse can be closed before GX runs."""
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
        result = (
            runtime.batches[model]
            .get_batch(batch_parameters={"dataframe": frame})
            .validate(
                runtime.suites[model],
                result_format={
                    "result_format": "SUMMARY",
                    "unexpected_index_column_names": list(suite.key_columns),
                },
                expectation_parameters={
                    "latest_plausible_time": datetime.now(UTC) + FUTURE_SLACK,
                },
            )
        )
    by_name = {r.expectation_config.meta["check"]: r for r in result.results}
    outcomes = []
    for spec in suite.expectations:
        if names is not None and spec.name not in names:
            continue
        item = by_name[spec.name]
        if item.exception_info.get("raised_exception"):
            raise GxValidationError(
                f"{model}: {spec.name} could not be evaluated: "
                f"{item.exception_info.get('exception_message')}"
            )
        outcomes.append(
            ExpectationOutcome(
                name=spec.name,
                blocking=spec.blocking,
                success=bool(item.success),
                unexpected_count=int(item.result.get("unexpected_count") or 0),
                element_count=int(item.result.get("element_count") or 0),
                examples=_examples(
                    item.result.get("partial_unexpected_index_list") or (), suite.key_columns
                ),
            )
        )
    return tuple(outcomes)


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


@dataclass
class _Runtime:
    lock: threading.Lock
    batches: dict[str, Any]
    suites: dict[str, Any]


_RUNTIME_LOCK = threading.Lock()


def _runtime() -> _Runtime:
    with _RUNTIME_LOCK:
        return _build_runtime()


@cache
def _build_runtime() -> _Runtime:
    # Must be set before GX is first imported; the warehouse is offline and private.
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # tqdm bars would interleave with Dagster's logs; TQDM_DISABLE is not honoured by GX.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
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
