-- Comments can be edited: a strictly newer `updated` wins. The loader stages one copy of each
-- comment, its newest.
update raw.comments
set
    created_at = latest.created_at,
    updated_at = latest.updated_at,
    body_text = latest.body_text,
    payload = latest.payload::json,
    parsed = raw.parse_comment(latest.payload),
    source = latest.source,
    fetched_at = $fetched_at::timestamptz
from staged_comments as latest
where
    comments.issue_id = latest.issue_id
    and comments.comment_id = latest.comment_id
    and latest.updated_at > comments.updated_at
