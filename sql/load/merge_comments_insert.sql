-- Comments the warehouse has not seen (the loader stages the newest copy of each only).
insert into raw.comments (
    issue_id, comment_id, created_at, updated_at, body_text, payload, parsed, source, fetched_at
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
    $fetched_at::timestamptz
from staged_comments as staged
where
    not exists (
        select 1
        from raw.comments as existing
        -- only the staged issues' rows: a join on the whole table would hash all of it per load
        where
            existing.issue_id in (select issue_id from staged_comments)
            and existing.issue_id = staged.issue_id
            and existing.comment_id = staged.comment_id
    )
