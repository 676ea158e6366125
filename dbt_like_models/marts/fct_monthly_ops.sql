-- One row per month x category, plus category 'all', for the months from $month_start up to
-- (not including) $month_end: one month on a schedule, every month in one statement on a
-- backfill. The month before the range is computed alongside, so month-over-month change
-- needs no other build. Months are the team's (the session TimeZone is TA_TIMEZONE, and the
-- bounds are bound as wall-clock times that the casts below place in it).
-- Throughput is `delivered`: each ticket once, in the month of its final resolution, when
-- that resolution means work was done; `resolution_events` keeps every move into done.
with months as (
    select
        range as month_start,
        range + interval 1 month as month_end
    from range(
        $month_start::timestamptz - interval 1 month, $month_end::timestamptz, interval 1 month
    )
),

all_tickets as (
    select * from {{ ref('fct_tickets') }}
),

-- Backlog at each month end comes from the visits, not the final resolution date: a ticket
-- resolved in September and reopened in November was not in September's backlog. Each open
-- visit yields the month-end instants it holds (entered before, left at or after); most
-- visits last hours and hold none.
open_at_month_ends as (
    select
        month_end - interval 1 month as month_start,
        issue_id
    from (
        select
            issue_id,
            unnest(generate_series(
                date_trunc('month', entered_at) + interval 1 month,
                least(coalesce(left_at, $month_end::timestamptz), $month_end::timestamptz),
                interval 1 month
            )) as month_end
        -- read apart from the resolutions below: one shared scan would evaluate both
        -- filters, date_trunc included, on every visit
        from {{ ref('int_issues__status_visits') }}
        where
            status_category <> 'done'
            and entered_at < $month_end::timestamptz
            and (left_at is null or left_at >= $month_start::timestamptz)
            and date_trunc('month', entered_at) + interval 1 month
                <= least(coalesce(left_at, $month_end::timestamptz), $month_end::timestamptz)
    )
    where month_end >= $month_start::timestamptz
),

resolutions as (
    select
        date_trunc('month', entered_at) as month_start,
        issue_id,
        count(*) as resolution_events
    from {{ ref('int_issues__status_visits') }}
    where
        is_resolution
        and entered_at >= $month_start::timestamptz - interval 1 month
        and entered_at < $month_end::timestamptz
    group by all
),

categories as (
    select category_id as category from {{ source('catalog', 'categories') }}
    union
    select distinct category from all_tickets
),

-- Only the (month, ticket) pairs a month can count: created or resolved in it, or open at
-- its end. A build then costs what its months hold, not months x every ticket.
ticket_month_keys as (
    select date_trunc('month', created_at) as month_start, issue_id
    from all_tickets
    where
        created_at >= $month_start::timestamptz - interval 1 month
        and created_at < $month_end::timestamptz
    union
    select date_trunc('month', resolved_at), issue_id
    from all_tickets
    where
        resolved_at >= $month_start::timestamptz - interval 1 month
        and resolved_at < $month_end::timestamptz
    union
    select month_start, issue_id from open_at_month_ends
    union
    select month_start, issue_id from resolutions
),

-- one row per month and ticket it can count, with the month's facts about it as flags
ticket_months as (
    select
        months.month_start,
        months.month_end,
        tickets.issue_id,
        tickets.category,
        tickets.created_at,
        tickets.lead_time_hours,
        tickets.cycle_time_hours,
        tickets.first_response_hours,
        tickets.reopen_count,
        tickets.is_sla_breached,
        tickets.is_delivered,
        tickets.created_at >= months.month_start as is_created_in_month,
        tickets.resolved_at >= months.month_start and tickets.resolved_at < months.month_end
            as is_finally_resolved_in_month,
        open_at_month_ends.issue_id is not null as is_open_at_month_end,
        coalesce(resolutions.resolution_events, 0) as resolution_events
    from ticket_month_keys as keys
    inner join months
        on keys.month_start = months.month_start
    inner join all_tickets as tickets
        on keys.issue_id = tickets.issue_id
        -- a ticket does not count in a month before its creation, however odd its dates
        and tickets.created_at < months.month_end
    left join open_at_month_ends
        on keys.month_start = open_at_month_ends.month_start
        and keys.issue_id = open_at_month_ends.issue_id
    left join resolutions
        on keys.month_start = resolutions.month_start
        and keys.issue_id = resolutions.issue_id
),

by_category as (
    select
        months.month_start,
        categories.category,
        count(t.issue_id) filter (where t.is_created_in_month) as created_count,
        count(t.issue_id) filter (where t.is_finally_resolved_in_month and t.is_delivered)
            as delivered_count,
        count(t.issue_id) filter (where t.is_finally_resolved_in_month and not t.is_delivered)
            as closed_without_work_count,
        coalesce(sum(t.resolution_events), 0)::bigint as resolution_events,
        -- flow times of the tickets delivered in the month (final resolution, work done)
        median(t.lead_time_hours) filter (where t.is_finally_resolved_in_month and t.is_delivered)
            as median_lead_time_hours,
        quantile_cont(t.lead_time_hours, 0.85) filter (
            where t.is_finally_resolved_in_month and t.is_delivered
        ) as p85_lead_time_hours,
        median(t.cycle_time_hours) filter (where t.is_finally_resolved_in_month and t.is_delivered)
            as median_cycle_time_hours,
        quantile_cont(t.cycle_time_hours, 0.85) filter (
            where t.is_finally_resolved_in_month and t.is_delivered
        ) as p85_cycle_time_hours,
        median(t.first_response_hours) filter (where t.is_created_in_month)
            as median_first_response_hours,
        count(t.issue_id) filter (where t.is_open_at_month_end) as backlog_at_month_end,
        median((epoch(t.month_end) - epoch(t.created_at)) / 86400.0) filter (where t.is_open_at_month_end)
            as median_backlog_age_days,
        count(t.issue_id) filter (
            where t.is_open_at_month_end and t.created_at < t.month_end - interval 30 day
        ) as backlog_older_than_30d,
        count(t.issue_id) filter (
            where t.is_finally_resolved_in_month and t.is_delivered and t.reopen_count > 0
        ) as reopened_count,
        count(t.issue_id) filter (where t.is_finally_resolved_in_month and t.is_sla_breached)
            as sla_breached_count,
        count(t.issue_id) filter (where t.is_finally_resolved_in_month) as finally_resolved_count
    from months
    cross join categories
    left join ticket_months as t
        on months.month_start = t.month_start
        and categories.category = t.category
    group by grouping sets ((months.month_start, categories.category), (months.month_start))
),

labelled as (
    select
        * exclude (category),
        coalesce(category, 'all') as category
    from by_category
),

data_start as (
    select date_trunc('month', min(created_at)) as first_month from all_tickets
),

-- no previous month before the data starts: the first month has no change, not +100%
with_change as (
    select
        labelled.*,
        case when labelled.month_start > data_start.first_month then lag(created_count) over previous_month end
            as previous_created_count,
        case when labelled.month_start > data_start.first_month then lag(delivered_count) over previous_month end
            as previous_delivered_count,
        lag(median_lead_time_hours) over previous_month as previous_median_lead_time_hours
    from labelled
    cross join data_start
    window previous_month as (partition by category order by month_start)
),

final as (
    select
        strftime(month_start, '%Y-%m') as month,
        month_start,
        category,
        created_count,
        delivered_count,
        closed_without_work_count,
        resolution_events,
        reopened_count,
        median_lead_time_hours,
        p85_lead_time_hours,
        median_cycle_time_hours,
        p85_cycle_time_hours,
        median_first_response_hours,
        backlog_at_month_end,
        median_backlog_age_days,
        backlog_older_than_30d,
        reopened_count / nullif(delivered_count, 0) as reopen_rate,
        sla_breached_count / nullif(finally_resolved_count, 0) as sla_breach_rate,
        created_count - previous_created_count as created_change,
        (created_count - previous_created_count) / nullif(previous_created_count, 0) as created_change_pct,
        (delivered_count - previous_delivered_count) / nullif(previous_delivered_count, 0)
            as delivered_change_pct,
        (median_lead_time_hours - previous_median_lead_time_hours)
            / nullif(previous_median_lead_time_hours, 0) as median_lead_time_change_pct
    from with_change
    where month_start >= $month_start::timestamptz
)

select * from final
