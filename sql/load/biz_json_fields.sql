-- JSON-style marker lines (registered as biz_json_lines: idx, line) -> per idx, the
-- biz object as a map of text (numbers and nested values as their JSON text), the
-- document's own ts and service (used when biz names none), or why the line is broken.
with lines as (
    select
        idx,
        -- a JSON document may follow a log prefix (container runtimes add one)
        substr(line, strpos(line, '{')) as body
    from biz_json_lines
),

documents as (
    select
        *,
        case
            when json_valid(body) then json_transform(
                body,
                '{"biz": "MAP(VARCHAR, VARCHAR)", "ts": "VARCHAR", "time": "VARCHAR",
                  "timestamp": "VARCHAR", "@timestamp": "VARCHAR", "service": "VARCHAR",
                  "app": "VARCHAR"}'
            )
        end as document
    from lines
),

final as (
    select
        idx,
        document['biz'] as biz,
        coalesce(
            document['ts'], document['time'], document['timestamp'], document['@timestamp']
        ) as document_ts,
        coalesce(document['service'], document['app']) as document_service,
        case
            when document is null then 'invalid_json'
            when document['biz'] is not null then null
            -- an object the map cannot hold: the same key twice
            when json_type(body, '$.biz') = 'OBJECT' then 'duplicate_key'
            else 'biz_not_an_object'
        end as broken
    from documents
)

select * from final
