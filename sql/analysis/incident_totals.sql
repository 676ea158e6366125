-- All of the month's incidents and repeats, not just the services the report lists.
select
    coalesce(sum(incident_count), 0) as incident_count,
    coalesce(sum(repeat_count), 0) as repeat_count
from fct_incident_trends
where month = $month
