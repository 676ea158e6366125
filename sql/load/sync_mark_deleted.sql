update raw.issues
set deleted_at = now()
where
    source = $source
    and deleted_at is null
    and issue_id not in (select issue_id from jira_ids)
returning issue_id
