update meta.jira_sync_state
set scope = $scope
where scope = $older_scope
