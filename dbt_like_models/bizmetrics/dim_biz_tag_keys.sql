-- Every free tag key in raw.biz_events, and whether the metrics may group by it. The
-- decision is the ingest's guard (meta.biz_tag_cardinality): a key is a dimension for every
-- hour or for none, so its series never vanish in a busy hour and its values add up to the
-- events carrying it in every hour. A key the guard never measured (a load killed before
-- its check) stays out until a load measures it: an unknown cost is treated as too high.
with events as (
    select tags from {{ source('raw', 'biz_events') }}
),

guard as (
    select * from {{ source('meta', 'biz_tag_cardinality') }}
),

seen as (
    select distinct unnest(map_keys(tags)) as tag_key
    from events
),

final as (
    select
        seen.tag_key,
        coalesce(guard.is_dimension, false) as is_dimension,
        case
            when guard.tag_key is null then 'unchecked'
            when guard.is_dimension then null
            when guard.is_hashed then 'hashed'
            else 'over_limit'
        end as exclusion_reason,
        guard.max_distinct_per_hour,
        guard.distinct_limit_per_hour,
        coalesce(guard.is_hashed, false) as is_hashed,
        guard.checked_at
    from seen
    left join guard
        on seen.tag_key = guard.tag_key
)

select * from final
