-- Infrastructure metrics per hour and metric, across hosts: the mean of every point in the
-- hour and the highest host's mean (one hot host is what an average hides).
with points as (
    select * from {{ source('raw', 'infra_metrics') }}
    where value is not null
),

per_host as (
    select
        date_trunc('hour', ts) as hour,
        metric,
        host,
        avg(value::decimal(24, 6))::double as host_avg
    from points
    group by all
),

final as (
    select
        hour,
        metric,
        avg(host_avg::decimal(24, 6))::double as value_avg,
        max(host_avg) as value_max,
        count(*) as host_count
    from per_host
    group by hour, metric
)

select * from final
