-- How complete requests are when they arrive: per category (and 'all'), the share of
-- tickets whose first triage pass found every required field, and the fields most often
-- missing then.
with tickets as (
    select * from {{ ref('int_triage__tickets') }}
),

grouped as (
    select
        coalesce(category, 'all') as category,
        count(*) as analysed_ticket_count,
        count(*) filter (where is_complete_at_creation) as complete_at_creation_count,
        avg(missing_at_first_pass_count) as avg_missing_field_count
    from tickets
    group by grouping sets ((category), ())
),

missing as (
    select
        category,
        unnest(missing_at_first_pass) as field_id
    from tickets
),

missing_counts as (
    select
        coalesce(category, 'all') as category,
        field_id,
        count(*) as missing_count
    from missing
    group by grouping sets ((category, field_id), (field_id))
),

top_missing as (
    select
        category,
        list(field_id order by missing_count desc, field_id)[1:3] as most_missing_fields
    from missing_counts
    group by category
),

final as (
    select
        grouped.category,
        grouped.analysed_ticket_count,
        grouped.complete_at_creation_count,
        grouped.complete_at_creation_count / grouped.analysed_ticket_count
            as complete_at_creation_rate,
        grouped.avg_missing_field_count,
        coalesce(top_missing.most_missing_fields, []) as most_missing_fields
    from grouped
    left join top_missing
        on grouped.category = top_missing.category
)

select * from final
