-- The month's and the previous month's operations per category (and 'all').
with monthly_ops as (
    select * from fct_monthly_ops
    where month in ($month, $previous_month)
),

final as (
    select
        month,
        category,
        created_count,
        delivered_count,
        median_lead_time_hours,
        p85_lead_time_hours,
        median_first_response_hours,
        backlog_at_month_end,
        backlog_older_than_30d,
        reopen_rate,
        sla_breach_rate,
        created_change_pct,
        delivered_change_pct,
        median_lead_time_change_pct
    from monthly_ops
)

select * from final
order by month, category
