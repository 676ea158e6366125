-- A comment, and the issue's `updated` moved like Jira moves it; returns the new id.
insert into tracker.comments (issue_key, author, body, created_at, updated_at)
values ($issue_key, $author, $body, $at, $at)
returning comment_id
