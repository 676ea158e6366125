-- staged_infra (ts, host, metric, labels, value, source) -> raw.infra_metrics. Replaying an
-- import changes nothing: a point is rewritten only when its value differs.
insert into raw.infra_metrics (ts, host, metric, labels, value, source, ingested_at)
select ts, host, metric, labels, value, source, $ingested_at
from staged_infra
where ts is not null
qualify row_number() over (partition by metric, host, labels, ts order by seq desc) = 1
on conflict (metric, host, labels, ts) do update set
    value = excluded.value,
    source = excluded.source,
    ingested_at = excluded.ingested_at
where infra_metrics.value is distinct from excluded.value
