-- Every hourly series the anomaly detector watches, in long form on one grid: per service
-- and event its count, failure rate, amount and p95 latency; per infra metric its mean.
-- Counts are zero in hours without events; the other series are null there.
with hourly as (
    select * from {{ ref('fct_biz_metrics_hourly') }}
),

infra as (
    select * from {{ ref('int_biz__infra_hourly') }}
),

grid as (
    select hour from {{ ref('fct_biz_infra_hourly') }}
),

business_points as (
    select hour, 'business' as series_kind, service || '/' || event || ' count' as series,
        event_count::double as value, true as is_count
    from hourly
    union all
    select hour, 'business', service || '/' || event || ' failure rate', failure_rate, false
    from hourly
    where failure_count > 0 or success_count > 0
    union all
    select hour, 'business', service || '/' || event || ' amount ' || unit, value_sum, false
    from hourly
    -- the amount of failed payments is not revenue, and few failures make it pure noise
    where unit <> '' and latency_p95_ms is null
        and not regexp_matches(event, '\.(failed|failure|error|timeout|declined|rejected)$')
    union all
    select hour, 'business', service || '/' || event || ' p95 ms', latency_p95_ms, false
    from hourly
    where latency_p95_ms is not null
),

points as (
    -- several units of one event land in one series only if the names collide; sum them
    select hour, series_kind, series, sum(value::decimal(24, 6))::double as value, bool_and(is_count) as is_count
    from business_points
    group by all
    union all
    select hour, 'infra', 'infra ' || metric, value_avg, false
    from infra
),

series as (
    select series_kind, series, bool_and(is_count) as is_count
    from points
    group by all
),

final as (
    select
        grid.hour,
        series.series_kind,
        series.series,
        series.is_count,
        case when series.is_count then coalesce(points.value, 0) else points.value end as value
    from grid
    cross join series
    left join points
        on grid.hour = points.hour
        and series.series = points.series
)

select * from final
