insert into raw.biz_events (
    event, ts, service, value, unit, status, tags, marker_style, ts_from_line,
    stream_id, source_file, line_number, ingested_at
)
select
    event, ts, service, value, unit, status, tags, marker_style, ts_from_line,
    $stream_id, $source_file, line_number, $ingested_at
from biz_parsed
where reject_reason is null
