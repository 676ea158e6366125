-- Comments can be edited: a strictly newer `updated` wins.
insert into raw.comments (
    issue_id, comment_id, created_at, updated_at, body_text, payload, source, fetched_at
)
select
    issue_id,
    comment_id,
    created_at,
    updated_at,
    body_text,
    payload::json,
    source,
    ?::timestamptz
from staged_comments
qualify row_number() over (partition by issue_id, comment_id order by updated_at desc, seq desc) = 1
on conflict (issue_id, comment_id) do update set
    created_at = excluded.created_at,
    updated_at = excluded.updated_at,
    body_text = excluded.body_text,
    payload = excluded.payload,
    source = excluded.source,
    fetched_at = excluded.fetched_at
where excluded.updated_at > comments.updated_at
