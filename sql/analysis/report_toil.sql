-- The highest-ranked toil candidates that have tickets this month: the month's count and
-- example keys per template, and the automation ideas the map gave its tickets most often.
with candidates as (
    select * from fct_toil_candidates
),

templates as (
    select * from int_tickets__request_templates
    where
        created_at >= ($month || '-01')::timestamptz
        and created_at < ($month || '-01')::timestamptz + interval 1 month
),

insights as (
    select * from raw.llm_ticket_insights
    where month = $month
),

in_month as (
    select
        templates.category,
        templates.request_template,
        templates.component,
        count(*) as tickets_in_month,
        (list(templates.issue_key order by templates.created_at, templates.issue_key))[1:5]
            as example_keys
    from templates
    group by all
),

ideas as (
    select
        templates.category,
        templates.request_template,
        templates.component,
        insights.automation_idea,
        count(*) as idea_count
    from templates
    inner join insights
        on templates.issue_id = insights.issue_id
    where insights.automation_idea <> ''
    group by all
),

top_ideas as (
    select
        category,
        request_template,
        component,
        (list(automation_idea order by idea_count desc, automation_idea))[1:3] as automation_ideas
    from ideas
    group by all
),

final as (
    select
        candidates.toil_rank,
        candidates.category,
        candidates.request_template,
        candidates.component,
        in_month.tickets_in_month,
        candidates.automation_hours_saved_per_month,
        candidates.toil_score,
        candidates.hours_basis,
        in_month.example_keys,
        coalesce(top_ideas.automation_ideas, []) as automation_ideas
    from candidates
    inner join in_month
        on candidates.category = in_month.category
        and candidates.request_template = in_month.request_template
        and candidates.component = in_month.component
    left join top_ideas
        on candidates.category = top_ideas.category
        and candidates.request_template = top_ideas.request_template
        and candidates.component = top_ideas.component
)

select * from final
order by toil_rank
limit $limit
