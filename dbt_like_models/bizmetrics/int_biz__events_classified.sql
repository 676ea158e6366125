-- One row per business event with what the metrics need: its minute and hour, whether it
-- is a success or a failure, its value in a comparable unit (latencies in ms), and its
-- dimension tags (the tags whose keys the cardinality guard allows).
with events as (
    select * from {{ source('raw', 'biz_events') }}
),

dimension_keys as (
    select coalesce(list(tag_key), []) as tag_keys from {{ ref('dim_biz_tag_keys') }}
    where is_dimension
),

classified as (
    select
        date_trunc('minute', ts) as minute,
        date_trunc('hour', ts) as hour,
        coalesce(service, 'unknown') as service,
        event,
        lower(status) as status,
        coalesce(unit, '') as unit,
        value,
        lower(coalesce(unit, '')) in ('ms', 's', 'sec', 'us', 'milliseconds', 'seconds') as is_latency,
        case
            when lower(unit) in ('s', 'sec', 'seconds') then value * 1000
            when lower(unit) = 'us' then value / 1000
            else value
        end as latency_ms,
        case
            when lower(status) in ('error', 'failed', 'failure', 'fail', 'timeout', 'declined', 'rejected', 'cancelled')
                or regexp_matches(event, '\.(failed|failure|error|timeout|declined|rejected)$')
                then 'failure'
            when lower(status) in ('ok', 'success', 'succeeded', 'completed', 'paid', 'approved', 'created')
                or regexp_matches(event, '\.(succeeded|success|completed|created|paid|approved)$')
                then 'success'
            else 'unknown'
        end as outcome,
        -- sorted, so two events with the same tags group as one; a null value (JSON null)
        -- is no value to group by
        map_from_entries(list_sort(list_filter(
            map_entries(coalesce(events.tags, map())),
            lambda tag: tag.value is not null and list_contains(dimension_keys.tag_keys, tag.key)
        ))) as dimension_tags
    from events
    cross join dimension_keys
),

final as (
    select
        minute,
        hour,
        service,
        event,
        status,
        unit,
        value,
        is_latency,
        case when is_latency then latency_ms end as latency_ms,
        outcome,
        dimension_tags
    from classified
)

select * from final
