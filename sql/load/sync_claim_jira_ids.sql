-- Every id Jira returns for the scope is this scope's, whoever loaded it before.
update raw.issues
set source = $source
where
    source <> $source
    and issue_id in (select issue_id from jira_ids)
