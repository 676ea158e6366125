-- One list parameter rather than a statement per scope.
delete from meta.jira_sync_state
where scope in (select unnest($scopes::varchar[]))
