-- Newest first: when several older spellings exist, the most recently synced one is kept.
select scope
from meta.jira_sync_state
where scope <> $scope
order by last_sync_at desc nulls last
