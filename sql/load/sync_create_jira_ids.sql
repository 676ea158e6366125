-- The ids Jira returned for the scope in a full pass, for this connection only.
create or replace temp table jira_ids (issue_id varchar primary key)
