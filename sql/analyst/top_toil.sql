-- The ten request templates most worth automating, with the hours a month it would save.
-- hours_basis says what the hours rest on: 'worklog' (time people logged in Jira) or
-- 'working_hours' (time in progress within the team's working hours: an upper bound).
select
    toil_rank,
    category,
    request_template,
    ticket_count,
    round(tickets_per_month, 1) as tickets_per_month,
    round(median_handling_hours, 2) as hours_per_ticket,
    hours_basis,
    round(100 * worklog_share, 0) as logged_pct,
    round(total_handling_hours, 1) as total_handling_hours,
    toil_score,
    round(automation_hours_saved_per_month, 1) as hours_saved_per_month,
    example_issue_keys
from fct_toil_candidates
order by toil_rank
limit 10
