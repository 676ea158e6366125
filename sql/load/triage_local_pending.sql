-- What the local tracker returns for triage's two queries: new tickets not yet analysed,
-- oldest first, then tickets the bot asked about (both its labels) that changed since
-- `$followup_since`.
with issues as (
    select * from tracker.issues
),

new_tickets as (
    select issue_key, payload, labels, created_at, updated_at, 0 as query_rank
    from issues
    where created_at >= $new_since
        and not list_contains(labels, $analysed)
    order by created_at, issue_key
    limit $limit
),

followups as (
    select issue_key, payload, labels, created_at, updated_at, 1 as query_rank
    from issues
    where list_contains(labels, $needs_info)
        and list_contains(labels, $analysed)
        and updated_at >= $followup_since
        and issue_key not in (select issue_key from new_tickets)
    order by updated_at, issue_key
    limit $limit
),

final as (
    select * from new_tickets
    union all
    select * from followups
)

select issue_key, payload, labels, created_at, updated_at
from final
order by query_rank, case when query_rank = 0 then created_at else updated_at end, issue_key
