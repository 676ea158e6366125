-- Business and infrastructure on one hourly time grid (every hour from the first to the
-- last data point, empty hours included), with the incident tickets opened in each hour and
-- 24-hour rolling correlations between business failures/amounts and infra load.
with events as (
    select * from {{ ref('int_biz__events_classified') }}
),

infra as (
    select * from {{ ref('int_biz__infra_hourly') }}
),

incidents as (
    select issue_key, created_at from {{ ref('fct_tickets') }}
    where category = 'incident'
),

bounds as (
    select
        least(
            (select min(hour) from events), (select min(hour) from infra)
        ) as first_hour,
        greatest(
            (select max(hour) from events), (select max(hour) from infra)
        ) as last_hour
),

grid as (
    select unnest(generate_series(first_hour, last_hour, interval 1 hour)) as hour
    from bounds
),

business as (
    select
        hour,
        count(*) as event_count,
        count(*) filter (where outcome = 'success') as success_count,
        count(*) filter (where outcome = 'failure') as failure_count,
        -- decimal: a float sum depends on the order threads add it in
        sum(value::decimal(24, 6)) filter (where not is_latency and unit <> '')::double as amount_sum,
        quantile_cont(latency_ms, 0.95) as latency_p95_ms
    from events
    group by hour
),

infra_wide as (
    select
        hour,
        avg(value_avg::decimal(24, 6)) filter (where metric ilike '%cpu%')::double as cpu_avg,
        max(value_max) filter (where metric ilike '%cpu%') as cpu_max,
        avg(value_avg::decimal(24, 6)) filter (where metric ilike '%error%')::double as error_rate_avg,
        map_from_entries(list({'key': metric, 'value': value_avg} order by metric)) as infra_metrics
    from infra
    group by hour
),

incident_hours as (
    select
        date_trunc('hour', created_at) as hour,
        list(issue_key order by created_at, issue_key) as incident_issue_keys
    from incidents
    group by all
),

joined as (
    select
        grid.hour,
        coalesce(business.event_count, 0) as event_count,
        coalesce(business.success_count, 0) as success_count,
        coalesce(business.failure_count, 0) as failure_count,
        business.success_count / nullif(business.success_count + business.failure_count, 0)
            as success_rate,
        coalesce(business.amount_sum, 0) as amount_sum,
        business.latency_p95_ms,
        infra_wide.cpu_avg,
        infra_wide.cpu_max,
        infra_wide.error_rate_avg,
        infra_wide.infra_metrics,
        coalesce(incident_hours.incident_issue_keys, []) as incident_issue_keys
    from grid
    left join business
        on grid.hour = business.hour
    left join infra_wide
        on grid.hour = infra_wide.hour
    left join incident_hours
        on grid.hour = incident_hours.hour
),

final as (
    select
        hour,
        event_count,
        success_count,
        failure_count,
        success_rate,
        amount_sum,
        latency_p95_ms,
        cpu_avg,
        cpu_max,
        error_rate_avg,
        infra_metrics,
        incident_issue_keys,
        -- a series that does not move has no correlation: null, not NaN
        nullif(corr(failure_count, cpu_avg) over last_day, 'nan'::double) as failure_cpu_corr_24h,
        nullif(corr(amount_sum, cpu_avg) over last_day, 'nan'::double) as amount_cpu_corr_24h,
        nullif(corr(failure_count, error_rate_avg) over last_day, 'nan'::double) as failure_error_rate_corr_24h
    from joined
    window last_day as (order by hour rows between 23 preceding and current row)
)

select * from final
