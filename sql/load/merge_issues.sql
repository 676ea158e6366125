-- Keyed by issue id; a strictly newer `updated` wins, so replaying a load changes nothing.
-- An issue marked deleted that is seen again is restored.
insert into raw.issues (
    issue_id, issue_key, project_key, created_at, updated_at, resolved_at,
    description_text, payload, source, fetched_at, deleted_at
)
select
    issue_id,
    issue_key,
    project_key,
    created_at,
    updated_at,
    resolved_at,
    description_text,
    payload::json,
    source,
    ?::timestamptz,
    null
from staged_issues
qualify row_number() over (partition by issue_id order by updated_at desc, seq desc) = 1
on conflict (issue_id) do update set
    issue_key = excluded.issue_key,
    project_key = excluded.project_key,
    created_at = excluded.created_at,
    updated_at = excluded.updated_at,
    resolved_at = excluded.resolved_at,
    description_text = excluded.description_text,
    payload = excluded.payload,
    source = excluded.source,
    fetched_at = excluded.fetched_at,
    deleted_at = null
where excluded.updated_at > issues.updated_at or issues.deleted_at is not null
