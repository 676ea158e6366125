-- Services with incidents that came back within 30 days.
select
    service_name,
    sum(incident_count) as incidents,
    sum(repeat_count) as repeats,
    round(median(median_time_to_resolve_hours), 1) as median_hours_to_resolve
from fct_incident_trends
group by service_name
having sum(repeat_count) > 0
order by repeats desc, incidents desc
