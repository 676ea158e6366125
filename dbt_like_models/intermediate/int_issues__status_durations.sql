-- Time spent in each status per issue: every visit counts (reopenings included), and the
-- current status runs until the data's as-of time, so open issues age correctly.
with visits as (
    select * from {{ ref('int_issues__status_visits') }}
),

as_of as (
    select max(updated_at) as as_of_at
    from {{ ref('stg_jira__issues') }}
    where not is_deleted
),

final as (
    select
        visits.issue_id,
        visits.issue_key,
        visits.status,
        visits.status_category,
        visits.is_waiting,
        count(*) as visit_count,
        min(visits.entered_at) as first_entered_at,
        max(visits.entered_at) as last_entered_at,
        bool_or(visits.left_at is null) as is_current,
        -- rounded: float sums depend on the order threads add them in
        round(
            sum(
                epoch(coalesce(visits.left_at, greatest(as_of.as_of_at, visits.entered_at)) - visits.entered_at)
            ) / 3600.0,
            6
        ) as hours_in_status
    from visits
    cross join as_of
    group by all
)

select * from final
