-- One statement with one list parameter: executemany is row by row (100k ids: 15 s).
insert into jira_ids
select unnest($issue_ids::varchar[])
