-- Month by month, all categories: volume, throughput, lead time, backlog and SLA.
select
    month,
    created_count,
    resolved_count,
    round(median_lead_time_hours, 1) as median_lead_time_hours,
    round(p85_lead_time_hours, 1) as p85_lead_time_hours,
    backlog_at_month_end,
    backlog_older_than_30d,
    round(100 * sla_breach_rate, 1) as sla_breach_pct,
    round(100 * created_change_pct, 1) as created_change_pct
from fct_monthly_ops
where category = 'all'
order by month
