-- `parsed` holds the payload members read here, typed when the row landed (migration 0007),
-- so this view never parses JSON.
with issues as (
    select * from {{ source('raw', 'issues') }}
),

final as (
    select
        issue_id,
        issue_key,
        project_key,
        coalesce(parsed.summary, '') as summary,
        coalesce(description_text, '') as description_text,
        -- summary and description normalised for keyword search at landing (migration 0008)
        searchable_text,
        parsed.issuetype.name as issue_type,
        parsed.status.name as status,
        lower(parsed.status.statusCategory.key) as status_category,
        parsed.priority.name as priority,
        parsed.resolution.name as resolution,
        coalesce(parsed.reporter.accountId, parsed.reporter.key, parsed.reporter.name) as reporter_id,
        parsed.reporter.displayName as reporter_name,
        coalesce(parsed.assignee.accountId, parsed.assignee.key, parsed.assignee.name) as assignee_id,
        parsed.assignee.displayName as assignee_name,
        coalesce(parsed.labels, []) as labels,
        coalesce(list_transform(parsed.components, lambda component: component.name), []) as components,
        created_at,
        updated_at,
        resolved_at,
        deleted_at is not null as is_deleted,
        source,
        fetched_at
    from issues
)

select * from final
