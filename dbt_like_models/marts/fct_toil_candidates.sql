-- Repetitive request work worth automating, ranked by a transparent toil score.
-- Score (0-100) = 40 x volume (tickets a month / 20, capped at 1) + 15 for each SRE toil
-- trait the data can show: manual, automatable, no enduring value, scales with load.
-- Hours are effort where Jira has it (worklogs, `timespent`), else working hours in progress
-- (fct_tickets.handling_hours); each row says which basis its per-ticket hours rest on.
with templates as (
    select * from {{ ref('int_tickets__request_templates') }}
),

tickets as (
    select issue_id, issue_key, assignee_id, clarification_rounds, created_at, handling_hours, hours_basis
    from {{ ref('fct_tickets') }}
),

work as (
    select
        templates.category,
        templates.request_template,
        templates.component,
        templates.issue_key,
        tickets.assignee_id,
        date_trunc('month', templates.created_at) as created_month,
        coalesce(tickets.handling_hours, 0) as handling_hours,
        tickets.hours_basis
    from templates
    inner join tickets
        on templates.issue_id = tickets.issue_id
),

month_spine as (
    select
        created_month,
        row_number() over (order by created_month) as month_index
    from (
        select unnest(
            generate_series(min(created_month), max(created_month), interval 1 month)
        ) as created_month
        from work
    )
),

monthly_volume as (
    select created_month, count(*) as ticket_count
    from work
    group by created_month
),

team_hours as (
    select round(sum(handling_hours::decimal(18, 6)), 3)::double as total_hours from work
),

groups as (
    select
        category,
        request_template,
        component,
        count(*) as ticket_count,
        count(distinct created_month) as months_active,
        min(created_month) as first_month,
        max(created_month) as last_month,
        -- decimal sums: float sums depend on the order threads add them in, and ranks must not
        round(sum(handling_hours::decimal(18, 6)), 3)::double as total_handling_hours,
        count(*) filter (where hours_basis = 'worklog') as worklog_ticket_count,
        round(median(handling_hours) filter (where hours_basis = 'worklog'), 3)
            as median_logged_hours,
        round(median(handling_hours) filter (where hours_basis = 'working_hours'), 3)
            as median_working_hours,
        avg((assignee_id is not null)::int) as assigned_share,
        (list(issue_key order by issue_key desc))[1:5] as example_issue_keys
    from work
    group by category, request_template, component
    having count(*) >= 5
),

group_months as (
    select
        groups.category,
        groups.request_template,
        groups.component,
        month_spine.created_month,
        month_spine.month_index,
        count(work.issue_key) as ticket_count
    from groups
    cross join month_spine
    left join work
        on groups.category = work.category
        and groups.request_template = work.request_template
        and groups.component = work.component
        and month_spine.created_month = work.created_month
    group by all
),

trends as (
    select
        group_months.category,
        group_months.request_template,
        group_months.component,
        regr_slope(group_months.ticket_count, group_months.month_index) as tickets_per_month_trend,
        corr(group_months.ticket_count, monthly_volume.ticket_count) as load_correlation,
        count(*) as months_in_range
    from group_months
    left join monthly_volume
        on group_months.created_month = monthly_volume.created_month
    group by all
),

-- Per-ticket hours rest on logged work when at least 3 of the template's tickets have some
-- (people who log, log the same kind of task alike); otherwise on working hours in progress,
-- an upper bound: a ticket in progress is not worked on every working hour.
based as (
    select
        *,
        case when worklog_ticket_count >= 3 then 'worklog' else 'working_hours' end as hours_basis,
        case when worklog_ticket_count >= 3 then median_logged_hours else median_working_hours end
            as median_handling_hours
    from groups
),

traits as (
    select
        groups.*,
        trends.tickets_per_month_trend,
        trends.load_correlation,
        groups.ticket_count / trends.months_in_range as tickets_per_month,
        groups.total_handling_hours / nullif(team_hours.total_hours, 0) as share_of_team_hours,
        groups.months_active >= greatest(2, trends.months_in_range / 2) as is_repetitive,
        groups.assigned_share >= 0.8 as is_manual,
        groups.category not in ('incident', 'other') and groups.request_template like '%<%>%'
            as is_automatable,
        groups.category in ('access_request', 'deployment', 'devops_tools', 'cloud_resource')
            as has_no_enduring_value,
        -- corr() is NaN when either series is flat, and NaN sorts above every number
        coalesce(not isnan(trends.load_correlation) and trends.load_correlation >= 0.5, false)
            as scales_with_load
    from based as groups
    inner join trends
        on groups.category = trends.category
        and groups.request_template = trends.request_template
        and groups.component = trends.component
    cross join team_hours
),

scored as (
    select
        traits.*,
        round(
            40 * least(tickets_per_month / 20.0, 1)
            + 15 * is_manual::int
            + 15 * is_automatable::int
            + 15 * has_no_enduring_value::int
            + 15 * scales_with_load::int,
            1
        ) as toil_score,
        case when is_automatable then 0.8 * tickets_per_month * median_handling_hours else 0 end
            as automation_hours_saved_per_month
    from traits
    where is_repetitive
),

final as (
    select
        row_number() over (
            order by toil_score desc, total_handling_hours desc, category, request_template, component
        ) as toil_rank,
        category,
        request_template,
        component,
        ticket_count,
        months_active,
        strftime(first_month, '%Y-%m') as first_month,
        strftime(last_month, '%Y-%m') as last_month,
        tickets_per_month,
        round(tickets_per_month_trend, 4) as tickets_per_month_trend,
        total_handling_hours,
        median_handling_hours,
        hours_basis,
        round(worklog_ticket_count / ticket_count, 4) as worklog_share,
        round(share_of_team_hours, 6) as share_of_team_hours,
        is_repetitive,
        is_manual,
        is_automatable,
        has_no_enduring_value,
        scales_with_load,
        toil_score,
        round(automation_hours_saved_per_month, 3) as automation_hours_saved_per_month,
        example_issue_keys
    from scored
)

select * from final
