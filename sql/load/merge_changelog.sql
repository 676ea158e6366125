-- Histories are immutable in Jira: the first copy of (issue, history) is kept.
insert into raw.changelog (issue_id, history_id, created_at, payload, source, fetched_at)
select issue_id, history_id, created_at, payload::json, source, ?::timestamptz
from staged_changelog
qualify row_number() over (partition by issue_id, history_id order by seq) = 1
on conflict (issue_id, history_id) do nothing
