-- A simple infra CSV (ts, host, metric, value) shaped like the Prometheus import; ts may be
-- ISO 8601 or epoch seconds. Unparseable rows keep a null ts and are counted as skipped.
-- NaN, infinite and out-of-range values (the models average as decimal(24, 6)) become null,
-- as Prometheus gaps do.
select
    coalesce(
        try_cast(ts as timestamptz),
        to_timestamp(try_cast(ts as double))
    ) as ts,
    coalesce(nullif(trim(host), ''), 'unknown') as host,
    trim(metric) as metric,
    '' as labels,
    case
        when isfinite(try_cast(value as double)) and abs(try_cast(value as double)) < 1e18
            then try_cast(value as double)
    end as value,
    $source as source,
    row_number() over () as seq
from read_csv(
    $path,
    header = true,
    all_varchar = true,
    columns = {'ts': 'varchar', 'host': 'varchar', 'metric': 'varchar', 'value': 'varchar'}
)
where nullif(trim(metric), '') is not null
