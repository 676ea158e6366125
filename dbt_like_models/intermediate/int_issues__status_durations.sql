-- Time spent in each status per issue: every visit counts (reopenings included), and the
-- current status runs until the data's as-of time, so open issues age correctly.
with issues as (
    select issue_id, issue_key, status, created_at, updated_at
    from {{ ref('stg_jira__issues') }}
    where not is_deleted
),

changes as (
    select issue_id, history_id, changed_at, from_status, to_status
    from {{ ref('stg_jira__status_changes') }}
),

statuses as (
    select * from {{ ref('int_jira__statuses') }}
),

as_of as (
    select max(updated_at) as as_of_at from issues
),

first_changes as (
    select
        issue_id,
        arg_min(from_status, changed_at) as initial_status
    from changes
    group by issue_id
),

entries as (
    select
        issues.issue_id,
        coalesce(first_changes.initial_status, issues.status) as status,
        issues.created_at as entered_at,
        -1 as entry_order
    from issues
    left join first_changes
        on issues.issue_id = first_changes.issue_id
    union all
    select
        changes.issue_id,
        changes.to_status,
        changes.changed_at,
        coalesce(try_cast(changes.history_id as bigint), 0)
    from changes
    inner join issues
        on changes.issue_id = issues.issue_id
),

visits as (
    select
        issue_id,
        status,
        entered_at,
        lead(entered_at) over (
            partition by issue_id order by entered_at, entry_order
        ) as left_at
    from entries
),

final as (
    select
        visits.issue_id,
        issues.issue_key,
        visits.status,
        statuses.status_category,
        coalesce(statuses.is_waiting, false) as is_waiting,
        count(*) as visit_count,
        min(visits.entered_at) as first_entered_at,
        max(visits.entered_at) as last_entered_at,
        bool_or(visits.left_at is null) as is_current,
        round(sum(
            greatest(
                epoch(coalesce(visits.left_at, greatest(as_of.as_of_at, visits.entered_at)) - visits.entered_at),
                0
            )
        ) / 3600.0, 6) as hours_in_status
    from visits
    cross join as_of
    inner join issues
        on visits.issue_id = issues.issue_id
    left join statuses
        on visits.status = statuses.status
    group by all
)

select * from final
