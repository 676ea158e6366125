-- One row per ticket triage has decided on (failed passes aside): what the first pass found,
-- when the bot first asked for information, and when the ticket was first found complete
-- after that. Only live passes count as asking: dry runs and shadow passes wrote nothing.
with decisions as (
    select * from {{ source('raw', 'triage_decisions') }}
    where action <> 'failed'
),

ranked as (
    select
        *,
        row_number() over (partition by issue_id order by decided_at, decision_id) as pass_number
    from decisions
),

first_pass as (
    select issue_id, issue_key, category, missing_fields, ticket_created_at, decided_at, mode
    from ranked
    where pass_number = 1
),

-- a pass that found its own comment (after a crash between comment and label) also dates it
asked as (
    select
        issue_id,
        min(decided_at) as first_commented_at
    from decisions
    where mode = 'live'
        and action in ('commented', 'skipped_already_commented')
        and len(missing_fields) > 0
    group by issue_id
),

completed as (
    select
        decisions.issue_id,
        min(decisions.decided_at) as completed_at
    from decisions
    inner join asked
        on decisions.issue_id = asked.issue_id
    where decisions.mode = 'live'
        and len(decisions.missing_fields) = 0
        and decisions.decided_at > asked.first_commented_at
    group by decisions.issue_id
),

final as (
    select
        first_pass.issue_id,
        first_pass.issue_key,
        first_pass.category,
        first_pass.mode as first_mode,
        first_pass.ticket_created_at as created_at,
        first_pass.decided_at as first_decided_at,
        epoch(first_pass.decided_at) - epoch(first_pass.ticket_created_at)
            as seconds_to_first_decision,
        first_pass.missing_fields as missing_at_first_pass,
        len(first_pass.missing_fields) as missing_at_first_pass_count,
        len(first_pass.missing_fields) = 0 as is_complete_at_creation,
        asked.first_commented_at,
        epoch(asked.first_commented_at) - epoch(first_pass.ticket_created_at)
            as seconds_to_first_comment,
        completed.completed_at,
        completed.completed_at is not null as is_completed_after_comment,
        (epoch(completed.completed_at) - epoch(asked.first_commented_at)) / 3600.0
            as hours_from_comment_to_complete
    from first_pass
    left join asked
        on first_pass.issue_id = asked.issue_id
    left join completed
        on first_pass.issue_id = completed.issue_id
)

select * from final
