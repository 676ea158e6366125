-- Comments can be edited: a strictly newer `updated` wins.
with latest as (
    select *
    from staged_comments
    where seq in (select seq from newest_comments)
)

update raw.comments
set
    created_at = latest.created_at,
    updated_at = latest.updated_at,
    body_text = latest.body_text,
    payload = latest.payload::json,
    parsed = raw.parse_comment(latest.payload),
    source = latest.source,
    fetched_at = ?::timestamptz
from latest
where
    comments.issue_id = latest.issue_id
    and comments.comment_id = latest.comment_id
    and latest.updated_at > comments.updated_at
