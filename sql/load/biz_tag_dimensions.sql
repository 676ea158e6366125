-- Every tag key's decision under this load's settings: a metric dimension unless it is
-- hashed or had more than $limit distinct values in some hour. A key is a dimension for all
-- hours or for none, so its series never vanish in a busy hour. Re-decided for every key on
-- each load, so a changed limit or hash list applies to keys not seen this time too; the
-- per-hour maximum is history and stays.
update meta.biz_tag_cardinality set
    distinct_limit_per_hour = $limit,
    is_hashed = list_contains($hash_keys, tag_key),
    is_dimension = max_distinct_per_hour <= $limit and not list_contains($hash_keys, tag_key)
returning tag_key, max_distinct_per_hour, is_dimension, is_hashed, distinct_limit_per_hour
