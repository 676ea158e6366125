-- The payload is parsed once into the fields the models use (a ->> per field would parse
-- the whole document again each time); values of an unexpected type become null.
with issues as (
    select * from {{ source('raw', 'issues') }}
),

parsed as (
    select
        issues.*,
        from_json(
            payload,
            '{"fields": {
                "summary": "VARCHAR",
                "issuetype": {"name": "VARCHAR"},
                "status": {"name": "VARCHAR", "statusCategory": {"key": "VARCHAR"}},
                "priority": {"name": "VARCHAR"},
                "resolution": {"name": "VARCHAR"},
                "reporter": {"accountId": "VARCHAR", "key": "VARCHAR", "name": "VARCHAR", "displayName": "VARCHAR"},
                "assignee": {"accountId": "VARCHAR", "key": "VARCHAR", "name": "VARCHAR", "displayName": "VARCHAR"},
                "labels": ["VARCHAR"],
                "components": [{"name": "VARCHAR"}]
            }}'
        ).fields as f
    from issues
),

final as (
    select
        issue_id,
        issue_key,
        project_key,
        coalesce(f.summary, '') as summary,
        coalesce(description_text, '') as description_text,
        f.issuetype.name as issue_type,
        f.status.name as status,
        lower(f.status.statusCategory.key) as status_category,
        f.priority.name as priority,
        f.resolution.name as resolution,
        coalesce(f.reporter.accountId, f.reporter.key, f.reporter.name) as reporter_id,
        f.reporter.displayName as reporter_name,
        coalesce(f.assignee.accountId, f.assignee.key, f.assignee.name) as assignee_id,
        f.assignee.displayName as assignee_name,
        coalesce(f.labels, []) as labels,
        coalesce(list_transform(f.components, lambda component: component.name), []) as components,
        created_at,
        updated_at,
        resolved_at,
        deleted_at is not null as is_deleted,
        source,
        fetched_at
    from parsed
)

select * from final
