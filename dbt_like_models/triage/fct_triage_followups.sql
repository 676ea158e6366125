-- Did asking help? Per category (and 'all'): tickets the bot asked about, how many became
-- complete afterwards (the requester edited or replied), and how long that took.
with tickets as (
    select * from {{ ref('int_triage__tickets') }}
    where first_commented_at is not null
),

grouped as (
    select
        coalesce(category, 'all') as category,
        count(*) as commented_ticket_count,
        count(*) filter (where is_completed_after_comment) as completed_after_comment_count,
        median(hours_from_comment_to_complete) as median_hours_from_comment_to_complete
    from tickets
    group by grouping sets ((category), ())
),

final as (
    select
        category,
        commented_ticket_count,
        completed_after_comment_count,
        completed_after_comment_count / commented_ticket_count as completed_after_comment_rate,
        median_hours_from_comment_to_complete
    from grouped
)

select * from final
