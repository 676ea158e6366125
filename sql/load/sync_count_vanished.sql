-- How many of the scope's live issues a full pass would mark deleted, out of how many.
select
    count(*) as live,
    count(*) filter (where issue_id not in (select issue_id from jira_ids)) as vanished,
from raw.issues
where source = $source and deleted_at is null
