-- Keyed by issue id; a strictly newer `updated` wins, so replaying a load changes nothing.
-- An issue marked deleted that is seen again, at least as new as stored, is restored (an old
-- export must not bring back what Jira deleted since). The loader stages one copy of each
-- issue, its newest.
update raw.issues
set
    issue_key = latest.issue_key,
    project_key = latest.project_key,
    created_at = latest.created_at,
    updated_at = latest.updated_at,
    resolved_at = latest.resolved_at,
    description_text = latest.description_text,
    payload = latest.payload::json,
    parsed = raw.parse_issue(latest.payload),
    -- the same parse as above: DuckDB computes a repeated expression once
    searchable_text = raw.searchable_text(raw.parse_issue(latest.payload).summary, latest.description_text),
    source = latest.source,
    fetched_at = $fetched_at::timestamptz,
    deleted_at = null
from staged_issues as latest
where
    issues.issue_id = latest.issue_id
    and (
        latest.updated_at > issues.updated_at
        or (issues.deleted_at is not null and latest.updated_at = issues.updated_at)
    )
