-- Comments the warehouse has not seen; the newest staged copy of each.
insert into raw.comments (
    issue_id, comment_id, created_at, updated_at, body_text, payload, parsed, source, fetched_at
)
with newest as (
    -- only keys and order go through the window: sorting the payloads with them cost a
    -- fifth of a load's merge
    select seq
    from staged_comments
    qualify row_number() over (
        partition by issue_id, comment_id order by updated_at desc, seq desc
    ) = 1
)

select
    issue_id,
    comment_id,
    created_at,
    updated_at,
    body_text,
    payload::json,
    raw.parse_comment(payload),
    source,
    ?::timestamptz
from staged_comments as staged
where
    seq in (select seq from newest)
    and not exists (
        select 1
        from raw.comments as existing
        -- only the staged issues' rows: a join on the whole table would hash all of it per load
        where
            existing.issue_id in (select issue_id from staged_comments)
            and existing.issue_id = staged.issue_id
            and existing.comment_id = staged.comment_id
    )
