-- What each tag key's dimension decision was made from, so the models and the run metadata
-- can say why a key is left out: the per-hour limit in force when it was last decided, and
-- whether the key is hashed (a hash per user is as many series as users, whatever the limit).
-- Null until the next log load decides every key again.
alter table meta.biz_tag_cardinality add column distinct_limit_per_hour bigint;
alter table meta.biz_tag_cardinality add column is_hashed boolean;
