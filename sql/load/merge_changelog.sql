-- Histories are immutable in Jira: the first copy of (issue, history) is kept.
insert into raw.changelog (issue_id, history_id, created_at, payload, parsed, source, fetched_at)
with firsts as (
    -- only keys and order go through the window: sorting the payloads with them cost a
    -- fifth of a load's merge
    select seq
    from staged_changelog
    qualify row_number() over (partition by issue_id, history_id order by seq) = 1
)

select
    issue_id, history_id, created_at, payload::json, raw.parse_history(payload), source, ?::timestamptz
from staged_changelog as staged
where
    seq in (select seq from firsts)
    and not exists (
        select 1
        from raw.changelog as existing
        -- only the staged issues' rows: a join on the whole table would hash all of it per load
        where
            existing.issue_id in (select issue_id from staged_changelog)
            and existing.issue_id = staged.issue_id
            and existing.history_id = staged.history_id
    )
