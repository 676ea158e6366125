-- Issues the warehouse has not seen (the loader stages the newest copy of each only).
insert into raw.issues (
    issue_id, issue_key, project_key, created_at, updated_at, resolved_at,
    description_text, searchable_text, payload, parsed, source, fetched_at, deleted_at
)
select
    issue_id,
    issue_key,
    project_key,
    created_at,
    updated_at,
    resolved_at,
    description_text,
    -- the same parse as below: DuckDB computes a repeated expression once
    raw.searchable_text(raw.parse_issue(payload).summary, description_text),
    payload::json,
    raw.parse_issue(payload),
    source,
    $fetched_at::timestamptz,
    null
from staged_issues as staged
where
    not exists (
        select 1
        from raw.issues as existing
        -- only the staged issues' rows: a join on the whole table would hash all of it per
        -- load; and none when the loader found every staged issue new
        where
            existing.issue_id in (select issue_id from staged_issues where $any_issue_known)
            and existing.issue_id = staged.issue_id
    )
