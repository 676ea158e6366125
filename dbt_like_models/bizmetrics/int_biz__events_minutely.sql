-- Business metrics per minute, service, event, status, unit and dimension tags (every tag
-- the cardinality guard allows, together, as Datadog groups a log-based metric): the finest
-- grain the dashboard or a metrics backend (Datadog) is fed at.
with events as (
    select * from {{ ref('int_biz__events_classified') }}
),

final as (
    select
        concat_ws(
            '|', strftime(minute, '%Y-%m-%dT%H:%M'), service, event, coalesce(status, ''), unit,
            to_json(dimension_tags)
        ) as minute_metric_id,
        minute,
        service,
        event,
        status,
        unit,
        dimension_tags,
        count(*) as event_count,
        count(*) filter (where outcome = 'failure') as failure_count,
        -- decimal: a float sum depends on the order threads add it in
        sum(value::decimal(24, 6))::double as value_sum,
        quantile_cont(value, 0.5) as value_p50,
        quantile_cont(value, 0.95) as value_p95
    from events
    group by minute, service, event, status, unit, dimension_tags
)

select * from final
