-- Distinct values per hour of every tag key in the hours this load touched; a key over
-- $limit in any hour (or hashed: a hash per user is as many series as users) is no dimension.
-- approx_count_distinct (HyperLogLog, a few % off) keeps memory fixed per hour and key: an
-- exact count held every distinct user id of a big load in memory at once.
insert into meta.biz_tag_cardinality (tag_key, max_distinct_per_hour, is_dimension, checked_at)
with entries as (
    select
        date_trunc('hour', ts) as hour,
        unnest(map_entries(tags)) as entry
    from raw.biz_events
    where ts >= $first_ts and ts <= $last_ts
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
    max_distinct_per_hour <= $limit and not list_contains($hash_keys, tag_key),
    $checked_at
from final
on conflict (tag_key) do update set
    max_distinct_per_hour = greatest(excluded.max_distinct_per_hour, biz_tag_cardinality.max_distinct_per_hour),
    is_dimension = excluded.is_dimension
        and greatest(excluded.max_distinct_per_hour, biz_tag_cardinality.max_distinct_per_hour) <= $limit,
    checked_at = excluded.checked_at
returning tag_key, max_distinct_per_hour, is_dimension
