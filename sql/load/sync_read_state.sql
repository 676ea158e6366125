select *
from meta.jira_sync_state
where scope = $scope
