-- The sample is cut short: a broken line can be a megabyte of stack trace.
insert into raw.biz_event_rejects (reason, source_file, line_number, stream_id, sample, rejected_at)
select reject_reason, $source_file, line_number, $stream_id, left(line, $sample_chars), $ingested_at
from biz_parsed
where reject_reason is not null
