-- `parsed` holds the payload members read here, typed when the row landed (migration 0007),
-- so this view never parses JSON. Jira sends null for fields a field configuration hides or
-- the account may not see: status and issue type become '(unknown)' (status category
-- 'unknown', never guessed as done), priority too (its SLA is the category's default);
-- reporter, assignee and resolution stay null, which is what Jira means by them.
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
        coalesce(parsed.issuetype.name, '(unknown)') as issue_type,
        coalesce(parsed.status.name, '(unknown)') as status,
        case
            when parsed.status.name is null then 'unknown'
            else lower(parsed.status.statusCategory.key)
        end as status_category,
        coalesce(parsed.priority.name, '(unknown)') as priority,
        parsed.resolution.name as resolution,
        coalesce(parsed.reporter.accountId, parsed.reporter.key, parsed.reporter.name) as reporter_id,
        parsed.reporter.displayName as reporter_name,
        coalesce(parsed.assignee.accountId, parsed.assignee.key, parsed.assignee.name) as assignee_id,
        parsed.assignee.displayName as assignee_name,
        coalesce(parsed.labels, []) as labels,
        coalesce(list_transform(parsed.components, lambda component: component.name), []) as components,
        -- effort as Jira logged it (migration 0010): worklogs embedded in the issue (Jira
        -- embeds at most 20: `worklog_total` says how many there are) and `timespent`
        parsed.timespent as time_spent_seconds,
        parsed.timeoriginalestimate as original_estimate_seconds,
        parsed.worklog.total as worklog_total,
        list_transform(parsed.worklog.worklogs, lambda worklog: worklog.timeSpentSeconds)
            as worklog_seconds,
        created_at,
        updated_at,
        resolved_at,
        deleted_at is not null as is_deleted,
        source,
        fetched_at
    from issues
)

select * from final
