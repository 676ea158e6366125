with issues as (
    select * from {{ source('raw', 'issues') }}
),

final as (
    select
        issue_id,
        issue_key,
        project_key,
        coalesce(payload ->> '$.fields.summary', '') as summary,
        coalesce(description_text, '') as description_text,
        payload ->> '$.fields.issuetype.name' as issue_type,
        payload ->> '$.fields.status.name' as status,
        lower(payload ->> '$.fields.status.statusCategory.key') as status_category,
        payload ->> '$.fields.priority.name' as priority,
        payload ->> '$.fields.resolution.name' as resolution,
        coalesce(
            payload ->> '$.fields.reporter.accountId',
            payload ->> '$.fields.reporter.key',
            payload ->> '$.fields.reporter.name'
        ) as reporter_id,
        payload ->> '$.fields.reporter.displayName' as reporter_name,
        coalesce(
            payload ->> '$.fields.assignee.accountId',
            payload ->> '$.fields.assignee.key',
            payload ->> '$.fields.assignee.name'
        ) as assignee_id,
        payload ->> '$.fields.assignee.displayName' as assignee_name,
        coalesce(from_json(payload -> '$.fields.labels', '["VARCHAR"]'), []) as labels,
        coalesce(
            list_transform(
                from_json(payload -> '$.fields.components', '[{"name": "VARCHAR"}]'),
                lambda component: component.name
            ),
            []
        ) as components,
        created_at,
        updated_at,
        resolved_at,
        deleted_at is not null as is_deleted,
        source,
        fetched_at
    from issues
)

select * from final
