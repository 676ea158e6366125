-- Where requesters most often leave out information: per category (template '*') and per
-- recurring request template, clarification rounds, missing required fields and the lead
-- time they cost. A high gap score says a form field or a doc page would pay off.
-- Categories and missing fields are the triage analyzer's (raw.triage_analyses and
-- int_tickets__required_fields), so the gaps are counted in the category whose fields were
-- checked; a ticket not analysed yet keeps fct_tickets' category and counts no gap.
with fct_tickets as (
    select issue_id, category, clarification_rounds, lead_time_hours
    from {{ ref('fct_tickets') }}
),

analyses as (
    select issue_id, category from {{ source('raw', 'triage_analyses') }}
),

tickets as (
    select
        fct_tickets.issue_id,
        coalesce(analyses.category, fct_tickets.category) as category,
        fct_tickets.clarification_rounds,
        fct_tickets.lead_time_hours
    from fct_tickets
    left join analyses
        on fct_tickets.issue_id = analyses.issue_id
),

templates as (
    select issue_id, request_template from {{ ref('int_tickets__request_templates') }}
),

fields as (
    select * from {{ ref('int_tickets__required_fields') }}
),

missing_by_ticket as (
    select
        issue_id,
        count(*) filter (where not is_present) as missing_field_count
    from fields
    group by issue_id
),

ticket_facts as (
    select
        tickets.issue_id,
        tickets.category,
        templates.request_template,
        tickets.clarification_rounds,
        tickets.lead_time_hours,
        coalesce(missing_by_ticket.missing_field_count, 0) as missing_field_count
    from tickets
    inner join templates
        on tickets.issue_id = templates.issue_id
    left join missing_by_ticket
        on tickets.issue_id = missing_by_ticket.issue_id
),

grouped as (
    select
        category,
        coalesce(request_template, '*') as request_template,
        count(*) as ticket_count,
        count(*) filter (where clarification_rounds > 0) as clarified_ticket_count,
        sum(clarification_rounds) as clarification_rounds,
        count(*) filter (where missing_field_count > 0) as tickets_missing_fields,
        median(lead_time_hours) filter (where clarification_rounds > 0) as median_lead_time_clarified_hours,
        median(lead_time_hours) filter (where clarification_rounds = 0) as median_lead_time_direct_hours
    from ticket_facts
    group by grouping sets ((category), (category, request_template))
    having grouping(request_template) = 1 or count(*) >= 5
),

missing_fields as (
    select
        fields.category,
        coalesce(templates.request_template, '*') as request_template,
        fields.field_id,
        count(*) filter (where not fields.is_present) as missing_count
    from fields
    inner join templates
        on fields.issue_id = templates.issue_id
    group by grouping sets ((fields.category, fields.field_id), (fields.category, templates.request_template, fields.field_id))
),

top_missing as (
    select
        category,
        request_template,
        (list(field_id order by missing_count desc, field_id) filter (where missing_count > 0))[1:3]
            as most_missing_fields
    from missing_fields
    group by category, request_template
),

final as (
    select
        grouped.category,
        grouped.request_template,
        grouped.ticket_count,
        grouped.clarified_ticket_count,
        grouped.clarified_ticket_count / grouped.ticket_count as clarification_rate,
        grouped.clarification_rounds,
        grouped.tickets_missing_fields,
        grouped.tickets_missing_fields / grouped.ticket_count as missing_field_rate,
        coalesce(top_missing.most_missing_fields, []) as most_missing_fields,
        grouped.median_lead_time_clarified_hours,
        grouped.median_lead_time_direct_hours,
        grouped.median_lead_time_clarified_hours - grouped.median_lead_time_direct_hours
            as clarification_delay_hours,
        grouped.clarification_rounds + grouped.tickets_missing_fields as gap_score
    from grouped
    left join top_missing
        on grouped.category = top_missing.category
        and grouped.request_template = top_missing.request_template
)

select * from final
