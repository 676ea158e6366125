-- The tickets created in month $month (YYYY-MM, in the session's zone: the team's, like the
-- marts' months), with only the fields the map prompt sends. Reads staging, never marts: the map's output feeds
-- fct_tickets, so reading a mart here would close a cycle.
with bounds as (
    select
        ($month || '-01')::timestamptz as month_start,
        ($month || '-01')::timestamptz + interval 1 month as month_end
),

issues as (
    select stg_jira__issues.*
    from stg_jira__issues
    inner join bounds
        on stg_jira__issues.created_at >= bounds.month_start
        and stg_jira__issues.created_at < bounds.month_end
    where not stg_jira__issues.is_deleted
),

final as (
    select
        issue_id,
        issue_key,
        coalesce(issue_type, '') as issue_type,
        coalesce(status_category, '') as status_category,
        coalesce(priority, '') as priority,
        summary,
        description_text,
        components,
        labels,
        created_at,
        resolved_at
    from issues
)

select * from final
order by issue_id
