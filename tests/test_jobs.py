"""Jobs and CLI runs select what they mean: every asset is in a job, none rides along."""

from __future__ import annotations

import dagster as dg

from ticket_analytics.definitions import defs
from ticket_analytics.defs import selections
from ticket_analytics.runner import build_selections

# Which groups each job may run. A group missing here is in no job: the test says so.
ALLOWED = {
    "refresh_job": {selections.INGEST, *selections.TICKET_MODELS, selections.REPORTS},
    "monthly_marts_job": {"marts"},
    "monthly_map_job": {selections.ANALYSIS},
    "monthly_report_job": {selections.ANALYSIS},
    "triage_job": {selections.TRIAGE},
    "bizmetrics_job": {selections.BIZMETRICS},
}


def _graph(definitions: dg.Definitions) -> dg.AssetGraph:
    return definitions.resolve_asset_graph()  # type: ignore[return-value]


def _job_keys(definitions: dg.Definitions) -> dict[str, set[dg.AssetKey]]:
    return {
        job.name: set(job.asset_layer.selected_asset_keys)
        for job in definitions.resolve_all_job_defs()
        # Dagster's implicit job of all assets, for runs launched from the asset graph
        if not job.name.startswith("__")
    }


def _materializable(definitions: dg.Definitions) -> set[dg.AssetKey]:
    graph = _graph(definitions)
    return {key for key in graph.get_all_asset_keys() if graph.get(key).is_materializable}


def test_every_asset_is_in_a_job_that_may_run_it() -> None:
    graph = _graph(defs)
    jobs = _job_keys(defs)
    assert set(jobs) == set(ALLOWED)
    for name, keys in jobs.items():
        strays = {k.to_user_string() for k in keys if graph.get(k).group_name not in ALLOWED[name]}
        assert not strays, f"{name} runs assets it should not: {sorted(strays)}"
    in_a_job = set().union(*jobs.values())
    homeless = {k.to_user_string() for k in _materializable(defs) - in_a_job}
    assert not homeless, f"assets in no job: {sorted(homeless)}"


def test_a_new_domain_joins_no_job_and_no_build_unless_it_asks() -> None:
    @dg.asset(group_name="new_domain")
    def comments_posted() -> None:
        """Would post comments to Jira."""

    extended = dg.Definitions.merge(defs, dg.Definitions(assets=[comments_posted]))
    graph = _graph(extended)
    key = dg.AssetKey("comments_posted")
    for name, keys in _job_keys(extended).items():
        assert key not in keys, f"{name} picked up a new domain's asset"
    for include_ingest in (False, True):
        for selection in build_selections(include_ingest=include_ingest):
            assert key not in selection.resolve(graph)


def test_build_runs_ticket_models_and_reports_and_syncs_only_when_asked() -> None:
    graph = _graph(defs)
    without = set().union(*(s.resolve(graph) for s in build_selections(include_ingest=False)))
    with_ingest = set().union(*(s.resolve(graph) for s in build_selections(include_ingest=True)))
    groups = {graph.get(k).group_name for k in without}
    assert groups == {*selections.TICKET_MODELS, selections.REPORTS}
    assert {graph.get(k).group_name for k in with_ingest - without} == {selections.INGEST}


# Assets that call a model or write to a service, and the only jobs that may run them. Groups
# grow: a job selecting a group would take in a new asset of this kind without a word.
SIDE_EFFECT_KINDS = {"openai", "confluence", "slack", "datadog"}
SIDE_EFFECTS_BY_JOB = {
    "refresh_job": set(),
    "monthly_marts_job": set(),
    "monthly_map_job": {"raw/llm_ticket_insights"},
    "monthly_report_job": {"monthly_report", "confluence_page", "slack_announcement"},
    "triage_job": {"raw/triage_decisions"},
    "bizmetrics_job": {"datadog_series"},
}


def test_assets_with_side_effects_run_only_in_the_jobs_that_name_them() -> None:
    graph = _graph(defs)
    for name, keys in _job_keys(defs).items():
        effects = {k.to_user_string() for k in keys if graph.get(k).kinds & SIDE_EFFECT_KINDS}
        assert effects == SIDE_EFFECTS_BY_JOB[name], f"{name} runs {sorted(effects)}"
    graph_kinds = {kind for key in graph.get_all_asset_keys() for kind in graph.get(key).kinds}
    assert graph_kinds >= SIDE_EFFECT_KINDS
