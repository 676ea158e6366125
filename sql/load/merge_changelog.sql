-- Histories are immutable in Jira: the first copy of (issue, history) is kept (the loader
-- stages that one only).
insert into raw.changelog (issue_id, history_id, created_at, payload, parsed, source, fetched_at)
select
    issue_id, history_id, created_at, payload::json, raw.parse_history(payload), source, $fetched_at::timestamptz
from staged_changelog as staged
where
    not exists (
        select 1
        from raw.changelog as existing
        -- only the staged issues' rows: a join on the whole table would hash all of it per
        -- load; and none when every staged issue is new, since histories land only with
        -- their issue (an empty list ends the scan at once)
        where
            existing.issue_id in (select issue_id from staged_changelog where $any_issue_known)
            and existing.issue_id = staged.issue_id
            and existing.history_id = staged.history_id
    )
