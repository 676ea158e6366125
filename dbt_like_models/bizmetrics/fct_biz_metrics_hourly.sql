-- Business metrics per hour, service, event and unit: counts by outcome, success rate,
-- sums of value (amounts), and p50/p95 of latency-like values in ms.
with events as (
    select * from {{ ref('int_biz__events_classified') }}
),

final as (
    select
        concat_ws('|', strftime(hour, '%Y-%m-%dT%H'), service, event, unit) as hourly_metric_id,
        hour,
        service,
        event,
        unit,
        count(*) as event_count,
        count(*) filter (where outcome = 'success') as success_count,
        count(*) filter (where outcome = 'failure') as failure_count,
        count(*) filter (where outcome = 'failure')
            / nullif(count(*) filter (where outcome <> 'unknown'), 0) as failure_rate,
        count(*) filter (where outcome = 'success')
            / nullif(count(*) filter (where outcome <> 'unknown'), 0) as success_rate,
        -- decimal: a float sum depends on the order threads add it in
        sum(value::decimal(24, 6))::double as value_sum,
        avg(value::decimal(24, 6))::double as value_avg,
        quantile_cont(latency_ms, 0.5) as latency_p50_ms,
        quantile_cont(latency_ms, 0.95) as latency_p95_ms
    from events
    group by hour, service, event, unit
)

select * from final
