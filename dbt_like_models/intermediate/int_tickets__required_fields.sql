-- One row per ticket x required field of the category the triage analyzer gave it, with the
-- analyzer's verdict: the same answer the bot gives the requester (one source of truth).
-- raw.triage_verdicts is filled by the triage_verdicts asset, for new and changed tickets.
with issues as (
    select issue_id, issue_key from {{ ref('stg_jira__issues') }}
    where not is_deleted
),

verdicts as (
    select * from {{ source('raw', 'triage_verdicts') }}
),

final as (
    select
        verdicts.issue_id,
        issues.issue_key,
        verdicts.category,
        verdicts.field_id,
        verdicts.field_rank,
        verdicts.is_present,
        verdicts.evidence,
        verdicts.analysed_at
    from verdicts
    inner join issues
        on verdicts.issue_id = issues.issue_id
)

select * from final
