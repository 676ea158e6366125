-- Analyses of tickets no longer in the warehouse (deleted in Jira) go; their verdicts follow
-- in triage_replace_verdicts.
delete from raw.triage_analyses
where issue_id not in (
    select issue_id from main.stg_jira__issues where not is_deleted
)
returning issue_id
