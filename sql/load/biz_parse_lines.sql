-- Fields of marker lines (registered as biz_fields by bizlogs/parse.py: the line, its event,
-- ts and value as text (empty ones null), `broken` when cutting the line up already found it
-- broken) -> per line, in the same order, its typed ts and value, or the reason it cannot
-- be an event. Run in the parser's own connection, whose zone is UTC: a timestamp without
-- a zone is UTC. Only the new columns come back (exporting strings again costs more).
with fields as (
    select
        idx,
        line,
        broken,
        event,
        ts as ts_text,
        value as value_text
    from biz_fields
),

timed as (
    select
        *,
        coalesce(
            ts_text,
            nullif(regexp_extract(
                line,
                '^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:\s?(?:Z|[+-]\d{2}(?::?\d{2})?))?)',
                1
            ), ''),
            nullif(regexp_extract(line, '\[(\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\]', 1), ''),
            nullif(regexp_extract(line, '^(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2})', 1), '')
        ) as any_ts_text
    from fields
),

parsed as (
    select
        *,
        case
            when any_ts_text is null then null
            when regexp_full_match(any_ts_text, '\d{9,13}(\.\d+)?')
                then to_timestamp(
                    any_ts_text::double / case when any_ts_text::double >= 1e11 then 1000 else 1 end
                )
            else coalesce(
                try_cast(
                    regexp_replace(replace(any_ts_text, ',', '.'), '\s([+-]\d{2}:?\d{2}|Z)$', '\1')
                    as timestamptz
                ),
                try_strptime(any_ts_text, '%d/%b/%Y:%H:%M:%S %z'),
                try_strptime(any_ts_text, '%Y/%m/%d %H:%M:%S')::timestamptz
            )
        end as ts,
        try_cast(value_text as double) as value
    from timed
),

final as (
    select
        idx,
        ts,
        value,
        ts_text is null as ts_from_line,
        case
            when broken is not null then broken
            when event is null then 'missing_event'
            when not regexp_full_match(event, '[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+') then 'invalid_event'
            when value_text is not null and (value is null or not isfinite(value)) then 'non_numeric_value'
            -- the metric models sum values as decimal(24, 6): one larger would fail them all
            when abs(value) >= 1e18 then 'value_out_of_range'
            when ts_text is not null and ts is null then 'invalid_ts'
            when ts is null then 'missing_ts'
        end as reject_reason
    from parsed
)

select * from final
