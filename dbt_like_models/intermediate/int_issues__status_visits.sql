-- One row per stay of an issue in a status: the status it was created in, then one per
-- transition. `left_at` is null for the current status. The shared base of time in status,
-- backlog at a point in time, resolutions and reopenings, and cumulative flow.
with issues as (
    select issue_id, issue_key, status, created_at
    from {{ ref('stg_jira__issues') }}
    where not is_deleted
),

changes as (
    select issue_id, history_id, changed_at, from_status, to_status
    from {{ ref('stg_jira__status_changes') }}
),

statuses as (
    select status, status_category, is_waiting from {{ ref('int_jira__statuses') }}
),

first_changes as (
    select
        issue_id,
        arg_min(from_status, (changed_at, history_id)) as initial_status
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
    -- a transition stamped before its ticket's creation would count it before it exists
    select
        changes.issue_id,
        changes.to_status,
        greatest(changes.changed_at, issues.created_at),
        coalesce(try_cast(changes.history_id as bigint), 0)
    from changes
    inner join issues
        on changes.issue_id = issues.issue_id
),

categorized as (
    select
        entries.issue_id,
        entries.status,
        entries.entered_at,
        entries.entry_order,
        -- unknown names (and tickets without a status) count as work in progress
        coalesce(statuses.status_category, 'indeterminate') as status_category,
        coalesce(statuses.is_waiting, false) as is_waiting
    from entries
    left join statuses
        on entries.status = statuses.status
),

sequenced as (
    select
        *,
        row_number() over visits as visit_number,
        lead(entered_at) over visits as left_at,
        lag(status_category) over visits as previous_category
    from categorized
    window visits as (partition by issue_id order by entered_at, entry_order)
),

final as (
    select
        sequenced.issue_id,
        issues.issue_key,
        sequenced.visit_number,
        sequenced.status,
        sequenced.status_category,
        sequenced.is_waiting,
        sequenced.entered_at,
        sequenced.left_at,
        sequenced.previous_category,
        sequenced.status_category = 'done' and sequenced.previous_category <> 'done'
            as is_resolution,
        sequenced.previous_category = 'done' and sequenced.status_category <> 'done'
            as is_reopening
    from sequenced
    inner join issues
        on sequenced.issue_id = issues.issue_id
)

select * from final
