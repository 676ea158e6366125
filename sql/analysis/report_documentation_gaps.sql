-- Which required fields the month's requesters left out, per category, as the map read the
-- tickets (its missing fields are the category's own only), with the category's share of
-- tickets that needed clarification over all months (fct_documentation_gaps).
with insights as (
    select * from raw.llm_ticket_insights
    where month = $month
),

gaps as (
    select category, clarification_rate from fct_documentation_gaps
    where request_template = '*'
),

category_tickets as (
    select category, count(*) as ticket_count
    from insights
    group by category
),

missing as (
    select
        category,
        unnest(missing_fields) as field_id
    from insights
),

counted as (
    select
        category,
        field_id,
        count(*) as tickets_missing
    from missing
    group by all
),

final as (
    select
        counted.category,
        counted.field_id,
        counted.tickets_missing,
        counted.tickets_missing / category_tickets.ticket_count as missing_share,
        gaps.clarification_rate
    from counted
    inner join category_tickets
        on counted.category = category_tickets.category
    left join gaps
        on counted.category = gaps.category
)

select * from final
order by tickets_missing desc, missing_share desc, category, field_id
limit $limit
