-- Month by month, all categories: volume, delivered work, lead time, backlog and SLA.
-- Months are the team's (TA_TIMEZONE). Delivered counts each ticket once, at its final
-- resolution, when that resolution means work was done; closed_without_work beside it;
-- resolution_events counts every move into done (rework shows as events above delivered).
select
    month,
    created_count,
    delivered_count,
    closed_without_work_count,
    resolution_events,
    round(median_lead_time_hours, 1) as median_lead_time_hours,
    round(p85_lead_time_hours, 1) as p85_lead_time_hours,
    round(p85_cycle_time_hours, 1) as p85_cycle_time_hours,
    backlog_at_month_end,
    backlog_older_than_30d,
    round(100 * reopen_rate, 1) as reopen_pct,
    round(100 * sla_breach_rate, 1) as sla_breach_pct,
    round(100 * created_change_pct, 1) as created_change_pct
from fct_monthly_ops
where category = 'all'
order by month
