-- One row per ticket with its category, flow metrics and effort. Flow durations are
-- calendar hours; handling hours are logged work, else working hours in progress.
-- Durations subtract epochs, not timestamps: in a session zone with DST, `b - a` is an
-- interval of local days that epoch() counts as 24 h each, an hour off across the change.
with issues as (
    select * from {{ ref('stg_jira__issues') }}
    where not is_deleted
),

changes as (
    select * from {{ ref('stg_jira__status_changes') }}
),

comments as (
    select * from {{ ref('stg_jira__comments') }}
),

-- The monthly analysis' map reads each ticket once, in the month it was created; its
-- category (catalog ids only) overrides the keyword rules. The newest analysis wins.
llm_categories as (
    select
        issue_id,
        arg_max(category, analysed_at) as category
    from {{ source('raw', 'llm_ticket_insights') }}
    group by issue_id
),

sla_policies as (
    select * from {{ ref('sla_policies') }}
),

resolution_outcomes as (
    select lower(resolution) as resolution, is_delivered from {{ ref('resolution_outcomes') }}
),

durations as (
    select * from {{ ref('int_issues__status_durations') }}
),

as_of as (
    select max(updated_at) as as_of_at from issues
),

-- catalog.rule_category() is the catalog's keyword rule, written with the hints table by
-- the catalog asset (declared in _marts.yml: depends_on).
rule_categories as (
    select
        issue_id,
        catalog.rule_category(searchable_text) as category
    from issues
),

visit_facts as (
    select
        issue_id,
        min(entered_at) filter (where status_category = 'indeterminate' and not is_waiting)
            as work_started_at,
        count(*) filter (where is_reopening) as reopen_count,
        count(*) filter (where is_resolution) as resolution_count,
        count(*) filter (where is_waiting) as clarification_rounds
    from {{ ref('int_issues__status_visits') }}
    group by issue_id
),

-- Effort: the worklogs when Jira embedded all of them, else `timespent` (Jira's total of
-- every worklog); a ticket nobody logged on falls back to its working hours in progress.
effort as (
    select
        issue_id,
        case
            when len(worklog_seconds) > 0 and len(worklog_seconds) >= coalesce(worklog_total, 0)
                then list_sum(worklog_seconds)
            else time_spent_seconds
        end / 3600.0 as logged_work_hours,
        original_estimate_seconds / 3600.0 as original_estimate_hours
    from issues
),

active_time as (
    select
        issue_id,
        -- decimal: a float sum depends on the order threads add it in
        sum(working_hours_in_status::decimal(18, 6))::double as active_working_hours
    from durations
    where status_category = 'indeterminate' and not is_waiting
    group by issue_id
),

team_transitions as (
    select
        changes.issue_id,
        min(changes.changed_at) as first_team_transition_at
    from changes
    inner join issues
        on changes.issue_id = issues.issue_id
    -- the reporter moving their own ticket, or a rule, is not a response
    where changes.author_id is distinct from issues.reporter_id
        and not regexp_matches(lower(coalesce(changes.author_name, '')), 'automation|bot\b')
    group by changes.issue_id
),

comment_facts as (
    select
        comments.issue_id,
        count(*) as comment_count,
        min(comments.created_at) filter (
            where comments.author_id is distinct from issues.reporter_id and comments.is_public
        ) as first_team_comment_at
    from comments
    inner join issues
        on comments.issue_id = issues.issue_id
    group by comments.issue_id
),

categorized as (
    select
        issues.*,
        coalesce(llm_categories.category, rule_categories.category, 'other') as category,
        case
            when llm_categories.category is not null then 'llm'
            when rule_categories.category is not null then 'rules'
            else 'default'
        end as category_source
    from issues
    left join rule_categories
        on issues.issue_id = rule_categories.issue_id
    left join llm_categories
        on issues.issue_id = llm_categories.issue_id
),

measured as (
    select
        categorized.*,
        least(
            team_transitions.first_team_transition_at, comment_facts.first_team_comment_at
        ) as first_response_at,
        visit_facts.work_started_at,
        coalesce(visit_facts.reopen_count, 0) as reopen_count,
        coalesce(visit_facts.resolution_count, 0) as resolution_count,
        coalesce(visit_facts.clarification_rounds, 0) as clarification_rounds,
        effort.logged_work_hours,
        effort.original_estimate_hours,
        coalesce(active_time.active_working_hours, 0) as active_working_hours,
        coalesce(resolution_outcomes.is_delivered, true) as is_work_resolution,
        coalesce(comment_facts.comment_count, 0) as comment_count,
        as_of.as_of_at
    from categorized
    cross join as_of
    left join visit_facts
        on categorized.issue_id = visit_facts.issue_id
    left join team_transitions
        on categorized.issue_id = team_transitions.issue_id
    left join comment_facts
        on categorized.issue_id = comment_facts.issue_id
    left join effort
        on categorized.issue_id = effort.issue_id
    left join active_time
        on categorized.issue_id = active_time.issue_id
    left join resolution_outcomes
        on lower(categorized.resolution) = resolution_outcomes.resolution
),

sla_lookup as (
    select
        pairs.category,
        pairs.priority,
        arg_min(sla_policies.resolution_hours, sla_policies.specificity) as sla_resolution_hours,
        arg_min(sla_policies.first_response_hours, sla_policies.specificity)
            as sla_first_response_hours
    from (select distinct category, priority from measured) as pairs
    inner join (
        select
            *,
            (category = '*')::int * 2 + (priority = '*')::int as specificity
        from sla_policies
    ) as sla_policies
        on sla_policies.category in (pairs.category, '*')
        and sla_policies.priority in (coalesce(pairs.priority, ''), '*')
    group by pairs.category, pairs.priority
),

with_sla as (
    select
        measured.*,
        sla_lookup.sla_resolution_hours,
        sla_lookup.sla_first_response_hours
    from measured
    left join sla_lookup
        on measured.category = sla_lookup.category
        and measured.priority is not distinct from sla_lookup.priority
),

final as (
    select
        issue_id,
        issue_key,
        project_key,
        summary,
        category,
        category_source,
        issue_type,
        status,
        status_category,
        resolution,
        priority,
        components,
        labels,
        reporter_id,
        reporter_name,
        assignee_id,
        assignee_name,
        created_at,
        first_response_at,
        work_started_at,
        resolved_at,
        resolved_at is not null as is_resolved,
        -- counted once, at the final resolution (Jira's resolution date, cleared on reopening)
        resolved_at is not null and is_work_resolution as is_delivered,
        resolved_at is not null and not is_work_resolution as is_closed_without_work,
        (epoch(resolved_at) - epoch(created_at)) / 3600.0 as lead_time_hours,
        -- a ticket never moved into active work has no cycle time, whatever its lead time
        (epoch(resolved_at) - epoch(work_started_at)) / 3600.0 as cycle_time_hours,
        (epoch(first_response_at) - epoch(created_at)) / 3600.0 as first_response_hours,
        case when resolved_at is null then (epoch(as_of_at) - epoch(created_at)) / 3600.0 end as open_age_hours,
        reopen_count,
        resolution_count,
        comment_count,
        clarification_rounds,
        sla_resolution_hours,
        sla_first_response_hours,
        (epoch(coalesce(resolved_at, as_of_at)) - epoch(created_at)) / 3600.0 > sla_resolution_hours
            as is_sla_breached,
        round(logged_work_hours, 6) as logged_work_hours,
        round(original_estimate_hours, 6) as original_estimate_hours,
        round(active_working_hours, 6) as active_working_hours,
        round(case when logged_work_hours > 0 then logged_work_hours else active_working_hours end, 6)
            as handling_hours,
        case when logged_work_hours > 0 then 'worklog' else 'working_hours' end as hours_basis,
        as_of_at
    from with_sla
)

select * from final
