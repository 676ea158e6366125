select count(*) > 0 as has_state
from meta.jira_sync_state
where scope = $scope
