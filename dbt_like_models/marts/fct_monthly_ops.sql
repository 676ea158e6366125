-- One row per month x category, plus category 'all'. Built one month partition at a time:
-- $month_start is the partition's first instant (UTC); the previous month is computed
-- alongside so month-over-month change needs no other partition.
with months as (
    select
        $month_start::timestamptz - interval 1 month as month_start,
        $month_start::timestamptz as month_end
    union all
    select
        $month_start::timestamptz,
        $month_start::timestamptz + interval 1 month
),

all_tickets as (
    select * from {{ ref('fct_tickets') }}
),

visits as (
    select issue_id, entered_at, left_at, status_category, is_resolution
    from {{ ref('int_issues__status_visits') }}
),

-- state at each month end comes from the visits, not the final resolution date: a ticket
-- resolved in September and reopened in November was not in September's backlog.
month_end_states as (
    select
        months.month_start,
        visits.issue_id,
        visits.status_category <> 'done' as is_open
    from months
    inner join visits
        on visits.entered_at < months.month_end
        and (visits.left_at is null or visits.left_at >= months.month_end)
),

resolutions as (
    select
        months.month_start,
        visits.issue_id,
        count(*) as resolution_count
    from months
    inner join visits
        on visits.is_resolution
        and visits.entered_at >= months.month_start
        and visits.entered_at < months.month_end
    group by months.month_start, visits.issue_id
),

categories as (
    select category_id as category from {{ source('catalog', 'categories') }}
    union
    select distinct category from all_tickets
),

-- Only the tickets these two months can count: created or resolved in them, or open at
-- either month end. A month's build then costs what the month holds, not the whole history.
tickets as (
    select all_tickets.*
    from all_tickets
    where (
        all_tickets.created_at >= $month_start::timestamptz - interval 1 month
        and all_tickets.created_at < $month_start::timestamptz + interval 1 month
    )
    or (
        all_tickets.resolved_at >= $month_start::timestamptz - interval 1 month
        and all_tickets.resolved_at < $month_start::timestamptz + interval 1 month
    )
    or all_tickets.issue_id in (select issue_id from month_end_states where is_open)
    or all_tickets.issue_id in (select issue_id from resolutions)
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
        tickets.created_at >= months.month_start as is_created_in_month,
        tickets.resolved_at >= months.month_start and tickets.resolved_at < months.month_end
            as is_finally_resolved_in_month,
        coalesce(month_end_states.is_open, false) as is_open_at_month_end,
        coalesce(resolutions.resolution_count, 0) as resolution_count
    from months
    inner join tickets
        on tickets.created_at < months.month_end
    left join month_end_states
        on months.month_start = month_end_states.month_start
        and tickets.issue_id = month_end_states.issue_id
    left join resolutions
        on months.month_start = resolutions.month_start
        and tickets.issue_id = resolutions.issue_id
),

by_category as (
    select
        months.month_start,
        categories.category,
        count(t.issue_id) filter (where t.is_created_in_month) as created_count,
        coalesce(sum(t.resolution_count), 0) as resolved_count,
        -- flow times of the tickets whose (final) resolution fell in the month
        median(t.lead_time_hours) filter (where t.is_finally_resolved_in_month)
            as median_lead_time_hours,
        quantile_cont(t.lead_time_hours, 0.85) filter (where t.is_finally_resolved_in_month)
            as p85_lead_time_hours,
        median(t.cycle_time_hours) filter (where t.is_finally_resolved_in_month)
            as median_cycle_time_hours,
        quantile_cont(t.cycle_time_hours, 0.85) filter (where t.is_finally_resolved_in_month)
            as p85_cycle_time_hours,
        median(t.first_response_hours) filter (where t.is_created_in_month)
            as median_first_response_hours,
        count(t.issue_id) filter (where t.is_open_at_month_end) as backlog_at_month_end,
        median(epoch(t.month_end - t.created_at) / 86400.0) filter (where t.is_open_at_month_end)
            as median_backlog_age_days,
        count(t.issue_id) filter (
            where t.is_open_at_month_end and t.created_at < t.month_end - interval 30 day
        ) as backlog_older_than_30d,
        count(t.issue_id) filter (where t.is_finally_resolved_in_month and t.reopen_count > 0)
            as reopened_count,
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
        case when labelled.month_start > data_start.first_month then lag(resolved_count) over previous_month end
            as previous_resolved_count,
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
        resolved_count,
        median_lead_time_hours,
        p85_lead_time_hours,
        median_cycle_time_hours,
        p85_cycle_time_hours,
        median_first_response_hours,
        backlog_at_month_end,
        median_backlog_age_days,
        backlog_older_than_30d,
        reopened_count / nullif(finally_resolved_count, 0) as reopen_rate,
        sla_breached_count / nullif(finally_resolved_count, 0) as sla_breach_rate,
        created_count - previous_created_count as created_change,
        (created_count - previous_created_count) / nullif(previous_created_count, 0) as created_change_pct,
        (resolved_count - previous_resolved_count) / nullif(previous_resolved_count, 0)
            as resolved_change_pct,
        (median_lead_time_hours - previous_median_lead_time_hours)
            / nullif(previous_median_lead_time_hours, 0) as median_lead_time_change_pct
    from with_change
    where month_start = $month_start::timestamptz
)

select * from final
