-- One map answer per ticket and month; a re-run replaces the row in place.
insert into raw.llm_ticket_insights (
    issue_id, month, issue_key, category, sub_theme, is_toil, toil_reason, automation_idea,
    missing_fields, summary, model, backend, batch, prompt_hash, analysed_at
)
values (
    $issue_id, $month, $issue_key, $category, $sub_theme, $is_toil, $toil_reason,
    $automation_idea, $missing_fields, $summary, $model, $backend, $batch, $prompt_hash,
    $analysed_at
)
on conflict (issue_id, month) do update set
    issue_key = excluded.issue_key,
    category = excluded.category,
    sub_theme = excluded.sub_theme,
    is_toil = excluded.is_toil,
    toil_reason = excluded.toil_reason,
    automation_idea = excluded.automation_idea,
    missing_fields = excluded.missing_fields,
    summary = excluded.summary,
    model = excluded.model,
    backend = excluded.backend,
    batch = excluded.batch,
    prompt_hash = excluded.prompt_hash,
    analysed_at = excluded.analysed_at
