"""Great Expectations suites on the staging models, one Dagster asset check per expectation.

Every expectation flags suspicious-but-possible data with WARN severity and never blocks:
keys are the yml tests' job (blocking), so they are checked once.
"""

from collections.abc import Iterator

import dagster as dg

from ticket_analytics.defs.resources import WarehouseResource
from ticket_analytics.quality.gx_suites import (
    SUITES,
    ExpectationOutcome,
    ExpectationSpec,
    SuiteSpec,
    load_frame,
    validate_frame,
)


def _check_spec(model: str, spec: ExpectationSpec) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        name=spec.name,
        asset=model,
        description=f"Great Expectations (warn): {spec.description}",
        additional_deps=[dg.AssetKey(name) for name in spec.also_reads],
        metadata={"expectation": spec.expectation},
    )


def _result(model: str, outcome: ExpectationOutcome) -> dg.AssetCheckResult:
    # Of all rows, not GX's share of non-null rows, so it agrees with the two counts beside it.
    percent = (
        100.0 * outcome.unexpected_count / outcome.element_count if outcome.element_count else 0.0
    )
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(model),
        check_name=outcome.name,
        passed=outcome.success,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "unexpected_count": outcome.unexpected_count,
            "element_count": outcome.element_count,
            "unexpected_percent": dg.MetadataValue.float(round(percent, 3)),
            "examples": ", ".join(outcome.examples),
        },
    )


def _suite_checks(suite: SuiteSpec) -> dg.AssetChecksDefinition:
    @dg.multi_asset_check(
        name=f"gx_{suite.model}",
        specs=[_check_spec(suite.model, spec) for spec in suite.expectations],
        description=f"Great Expectations suite on {suite.model}",
        can_subset=True,
    )
    def _checks(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        selected = {key.name for key in context.selected_asset_check_keys}
        # Read, then let go of the file before GX runs (its first import alone takes seconds).
        with warehouse.connect(read_only=True) as conn:
            frame = load_frame(conn, suite.model)
        for outcome in validate_frame(suite.model, frame, selected):
            if not outcome.success:
                context.log.warning(
                    f"{suite.model}: {outcome.name} failed on {outcome.unexpected_count} of "
                    f"{outcome.element_count} rows (e.g. {', '.join(outcome.examples)})"
                )
            yield _result(suite.model, outcome)

    return _checks


gx_checks: list[dg.AssetChecksDefinition] = [_suite_checks(suite) for suite in SUITES.values()]
