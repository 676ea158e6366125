-- Distinct values per hour of every tag key in the whole hours this load touched (a load
-- starting mid-hour counts the hour's earlier values too), keeping each key's highest hour
-- ever seen. Whether a key is a dimension is decided next, for every key, by
-- biz_tag_dimensions.sql in the same transaction; a new key waits there as no dimension.
-- approx_count_distinct (HyperLogLog, a few % off) keeps memory fixed per hour and key: an
-- exact count held every distinct user id of a big load in memory at once.
insert into meta.biz_tag_cardinality (tag_key, max_distinct_per_hour, is_dimension, checked_at)
with entries as (
    select
        date_trunc('hour', ts) as hour,
        unnest(map_entries(tags)) as entry
    from raw.biz_events
    where ts >= date_trunc('hour', $first_ts)
        and ts < date_trunc('hour', $last_ts) + interval 1 hour
),

per_hour as (
    select
        hour,
        entry.key as tag_key,
        approx_count_distinct(entry.value) as distinct_values
    from entries
    group by all
),

final as (
    select
        tag_key,
        max(distinct_values) as max_distinct_per_hour
    from per_hour
    group by tag_key
)

select
    tag_key,
    max_distinct_per_hour,
    false,
    $checked_at
from final
on conflict (tag_key) do update set
    max_distinct_per_hour = greatest(excluded.max_distinct_per_hour, biz_tag_cardinality.max_distinct_per_hour),
    checked_at = excluded.checked_at
