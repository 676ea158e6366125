-- Cumulative flow: tickets in each status category at the end of every day in the team's
-- zone (the session TimeZone, TA_TIMEZONE: `::date` of a timestamptz is the local date), from
-- the first ticket's creation day to the as-of day. Each ticket contributes +1/-1 only on the
-- days its category changes; a running sum over a day spine turns those into counts, so the
-- cost follows transitions and days, never tickets x days.
with visits as (
    select issue_id, entered_at, status_category, previous_category
    from {{ ref('int_issues__status_visits') }}
),

issues as (
    select created_at, updated_at
    from {{ ref('stg_jira__issues') }}
    where not is_deleted
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

-- a ticket whose status Jira hid ('unknown') counts as open, never as done
sequenced as (
    select
        entered_at::date as day,
        replace(status_category, 'unknown', 'new') as status_category,
        replace(previous_category, 'unknown', 'new') as previous_category
    from visits
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
