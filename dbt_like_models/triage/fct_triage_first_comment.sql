-- Time from a ticket's creation to the bot's first comment, per day (team zone) and
-- category, and over all categories ('all').
with tickets as (
    select * from {{ ref('int_triage__tickets') }}
    where first_commented_at is not null
),

dated as (
    select
        cast(date_trunc('day', first_commented_at) as date) as day,
        category,
        seconds_to_first_comment
    from tickets
),

grouped as (
    select
        day,
        coalesce(category, 'all') as category,
        count(*) as commented_ticket_count,
        median(seconds_to_first_comment) as median_seconds_to_first_comment,
        quantile_cont(seconds_to_first_comment, 0.95) as p95_seconds_to_first_comment,
        max(seconds_to_first_comment) as max_seconds_to_first_comment
    from dated
    group by grouping sets ((day, category), (day))
),

final as (
    select
        day,
        category,
        commented_ticket_count,
        median_seconds_to_first_comment,
        p95_seconds_to_first_comment,
        max_seconds_to_first_comment
    from grouped
)

select * from final
