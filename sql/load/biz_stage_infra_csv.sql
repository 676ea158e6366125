-- A simple infra CSV (ts, host, metric, value) shaped like the Prometheus import; ts may be
-- ISO 8601 or epoch seconds. Unparseable rows keep a null ts and are counted as skipped.
select
    coalesce(
        try_cast(ts as timestamptz),
        to_timestamp(try_cast(ts as double))
    ) as ts,
    coalesce(nullif(trim(host), ''), 'unknown') as host,
    trim(metric) as metric,
    '' as labels,
    try_cast(value as double) as value,
    $source as source,
    row_number() over () as seq
from read_csv(
    $path,
    header = true,
    all_varchar = true,
    columns = {'ts': 'varchar', 'host': 'varchar', 'metric': 'varchar', 'value': 'varchar'}
)
where nullif(trim(metric), '') is not null
