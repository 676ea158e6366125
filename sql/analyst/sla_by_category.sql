-- SLA breaches and lead time per category over all resolved tickets.
select
    category,
    count(*) as resolved_tickets,
    count(*) filter (where is_sla_breached) as breached,
    round(100.0 * count(*) filter (where is_sla_breached) / count(*), 1) as breached_pct,
    round(median(lead_time_hours), 1) as median_lead_time_hours
from fct_tickets
where is_resolved
group by category
order by breached_pct desc
