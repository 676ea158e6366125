-- Ids Jira has for the scope that the warehouse lacks or holds only as deleted.
select issue_id
from jira_ids
where not exists (
    select 1
    from raw.issues
    where raw.issues.issue_id = jira_ids.issue_id and deleted_at is null
)
