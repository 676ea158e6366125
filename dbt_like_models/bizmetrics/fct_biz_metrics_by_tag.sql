-- Business metrics per hour, service, event, unit and free tag (key and value), for the tag
-- keys the cardinality guard allows (dim_biz_tag_keys): counts by outcome, success rate,
-- sums of value (amounts), p50/p95 latency. One row per tag an event carries, so an event
-- with two dimension tags counts once under each key: sum within one key, never across keys.
with events as (
    select * from {{ ref('int_biz__events_classified') }}
    where cardinality(dimension_tags) > 0
),

event_tags as (
    select
        hour,
        service,
        event,
        unit,
        value,
        latency_ms,
        outcome,
        unnest(map_keys(dimension_tags)) as tag_key,
        unnest(map_values(dimension_tags)) as tag_value
    from events
),

final as (
    select
        concat_ws('|', strftime(hour, '%Y-%m-%dT%H'), service, event, unit, tag_key, tag_value)
            as hourly_tag_metric_id,
        hour,
        service,
        event,
        unit,
        tag_key,
        tag_value,
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
    from event_tags
    group by hour, service, event, unit, tag_key, tag_value
)

select * from final
