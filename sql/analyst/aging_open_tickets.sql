-- Open tickets older than 30 days, oldest first: the backlog nobody is looking at.
select
    issue_key,
    category,
    priority,
    status,
    assignee_name,
    round(open_age_hours / 24, 1) as age_days,
    summary
from fct_tickets
where not is_resolved
    and open_age_hours > 30 * 24
order by open_age_hours desc
