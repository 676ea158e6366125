-- Cumulative flow: tickets in each status category at the end of every UTC day, from the
-- first ticket's creation day to the as-of day. Each ticket contributes +1/-1 only on the
-- days its category changes; a running sum over a day spine turns those into counts, so the
-- cost follows transitions and days, never tickets x days.
with issues as (
    select issue_id, status, created_at, updated_at
    from {{ ref('stg_jira__issues') }}
    where not is_deleted
),

changes as (
    select issue_id, history_id, changed_at, from_status, to_status
    from {{ ref('stg_jira__status_changes') }}
),

statuses as (
    select status, status_category from {{ ref('int_jira__statuses') }}
),

categories as (
    select unnest(['new', 'indeterminate', 'done']) as status_category
),

bounds as (
    select
        min(created_at)::date as first_day,
        max(updated_at)::date as as_of_day
    from issues
),

first_changes as (
    select
        issue_id,
        arg_min(from_status, changed_at) as initial_status
    from changes
    group by issue_id
),

entries as (
    select
        issues.issue_id,
        coalesce(first_changes.initial_status, issues.status) as status,
        issues.created_at as entered_at,
        -1 as entry_order
    from issues
    left join first_changes
        on issues.issue_id = first_changes.issue_id
    union all
    -- a transition stamped before its ticket's creation would count it before it exists
    select
        changes.issue_id,
        changes.to_status,
        greatest(changes.changed_at, issues.created_at),
        coalesce(try_cast(changes.history_id as bigint), 0)
    from changes
    inner join issues
        on changes.issue_id = issues.issue_id
),

categorized as (
    select
        entries.issue_id,
        entries.entered_at,
        entries.entry_order,
        -- a ticket without a status still exists; unknown names also default to indeterminate
        coalesce(statuses.status_category, 'indeterminate') as status_category
    from entries
    left join statuses
        on entries.status = statuses.status
),

sequenced as (
    select
        entered_at::date as day,
        status_category,
        lag(status_category) over (
            partition by issue_id order by entered_at, entry_order
        ) as previous_category
    from categorized
),

deltas as (
    select day, status_category, 1 as delta
    from sequenced
    where previous_category is distinct from status_category
    union all
    select day, previous_category, -1
    from sequenced
    where previous_category <> status_category
),

daily_changes as (
    select
        day,
        status_category,
        sum(delta) as net_change
    from deltas
    group by day, status_category
),

days as (
    select unnest(generate_series(first_day, as_of_day, interval 1 day))::date as day
    from bounds
),

spine as (
    select
        days.day,
        categories.status_category,
        coalesce(daily_changes.net_change, 0) as net_change
    from days
    cross join categories
    left join daily_changes
        on days.day = daily_changes.day
        and categories.status_category = daily_changes.status_category
),

final as (
    select
        day,
        status_category,
        sum(net_change) over (
            partition by status_category order by day
            rows between unbounded preceding and current row
        )::bigint as ticket_count
    from spine
)

select * from final
