-- Marker lines (registered as biz_marker_lines: line_number, line) -> biz_parsed: one row
-- per marker line with its fields, or the reason it cannot be an event. Both marker styles
-- become one map of fields, so everything after the first CTEs is shared.
-- $hash_keys / $drop_keys: tag keys that never reach raw or metric keys as they are.
create or replace temp table biz_parsed as
with lines as (
    select
        line_number,
        rtrim(line, chr(13)) as line
    from biz_marker_lines
),

styled as (
    select
        line_number,
        line,
        case
            when contains(line, 'BIZ_METRIC') then 'text'
            when regexp_matches(line, '"biz"\s*:') then 'json'
        end as marker_style,
        coalesce(
            nullif(regexp_extract(
                line,
                '^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:\s?(?:Z|[+-]\d{2}(?::?\d{2})?))?)',
                1
            ), ''),
            nullif(regexp_extract(line, '\[(\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\]', 1), ''),
            nullif(regexp_extract(line, '^(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2})', 1), '')
        ) as line_ts_text
    from lines
),

text_lines as (
    select
        *,
        substr(line, strpos(line, 'BIZ_METRIC') + 10) as rest
    from styled
    where marker_style = 'text'
),

text_pairs as (
    select
        line_number,
        line,
        marker_style,
        line_ts_text,
        -- an odd number of unescaped quotes: a quoted value was cut off
        (length(regexp_replace(rest, '\\.', '', 'g'))
            - length(replace(regexp_replace(rest, '\\.', '', 'g'), '"', ''))) % 2 = 1
            as is_unterminated,
        regexp_extract_all(rest, '(?:^|\s)([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|[^\s"]*)', 1)
            as field_keys,
        list_transform(
            regexp_extract_all(rest, '(?:^|\s)([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|[^\s"]*)', 2),
            lambda v: case
                when starts_with(v, '"') then regexp_replace(v[2:-2], '\\(.)', '\1', 'g')
                else v
            end
        ) as field_values,
        null::json as document
    from text_lines
),

json_lines as (
    select
        line_number,
        line,
        marker_style,
        line_ts_text,
        -- a JSON document may follow a log prefix (container runtimes add one)
        substr(line, strpos(line, '{')) as body
    from styled
    where marker_style = 'json'
),

json_pairs as (
    select
        line_number,
        line,
        marker_style,
        line_ts_text,
        false as is_unterminated,
        case when json_type(biz) = 'OBJECT' then json_keys(biz) end as field_keys,
        case when json_type(biz) = 'OBJECT' then list_transform(json_keys(biz), lambda k: biz->>k) end
            as field_values,
        document
    from (
        select
            *,
            case when json_valid(body) then body::json end as document,
            case when json_valid(body) then body::json->'biz' end as biz
        from json_lines
    )
),

fielded as (
    select
        *,
        -- the first of a repeated key wins, as a reader scanning the line would expect
        map_from_entries(
            list_filter(
                list_zip(field_keys, field_values),
                lambda kv, i: list_position(field_keys, kv[1]) = i
            ).list_transform(lambda kv: {'key': kv[1], 'value': kv[2]})
        ) as fields
    from (select * from text_pairs union all by name select * from json_pairs)
),

extracted as (
    select
        line_number,
        line,
        marker_style,
        is_unterminated,
        document,
        fields,
        nullif(fields['event'], '') as event,
        nullif(coalesce(
            fields['ts'],
            document->>'ts',
            document->>'time',
            document->>'timestamp',
            document->>'@timestamp'
        ), '') as ts_text,
        line_ts_text,
        nullif(coalesce(fields['service'], document->>'service', document->>'app'), '') as service,
        nullif(fields['value'], '') as value_text,
        nullif(fields['unit'], '') as unit,
        nullif(fields['status'], '') as status
    from fielded
),

timed as (
    select
        *,
        coalesce(ts_text, line_ts_text) as any_ts_text
    from extracted
),

parsed_ts as (
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
                    regexp_replace(replace(any_ts_text, ',', '.'), '\s([+-]\d{2}:?\d{2})$', '\1')
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
        line_number,
        line,
        marker_style,
        event,
        ts,
        ts_text is null as ts_from_line,
        service,
        value,
        unit,
        status,
        map_from_entries(
            list_transform(
                list_filter(
                    map_entries(fields),
                    lambda e: e.key not in ('event', 'ts', 'service', 'value', 'unit', 'status')
                        and not list_contains($drop_keys, e.key)
                ),
                lambda e: {
                    'key': e.key,
                    'value': case
                        when list_contains($hash_keys, e.key) then 'sha256:' || left(sha256($salt || e.value), 16)
                        else e.value
                    end
                }
            )
        ) as tags,
        case
            when marker_style = 'json' and document is null then 'invalid_json'
            when marker_style = 'json' and fields is null then 'biz_not_an_object'
            when is_unterminated then 'unterminated_quote'
            when event is null then 'missing_event'
            when not regexp_full_match(event, '[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+') then 'invalid_event'
            when value_text is not null and (value is null or not isfinite(value)) then 'non_numeric_value'
            when ts_text is not null and ts is null then 'invalid_ts'
            when ts is null then 'missing_ts'
        end as reject_reason
    from parsed_ts
    where marker_style is not null
)

select * from final
