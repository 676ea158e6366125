-- Per-load staging, private to the loading connection: a failed load leaves raw.* untouched.
create or replace temp table staged_issues (
    seq bigint,
    issue_id varchar,
    issue_key varchar,
    project_key varchar,
    created_at timestamptz,
    updated_at timestamptz,
    resolved_at timestamptz,
    description_text varchar,
    payload varchar,
    source varchar
);
create or replace temp table staged_changelog (
    seq bigint,
    issue_id varchar,
    history_id varchar,
    created_at timestamptz,
    payload varchar,
    source varchar
);
create or replace temp table staged_comments (
    seq bigint,
    issue_id varchar,
    comment_id varchar,
    created_at timestamptz,
    updated_at timestamptz,
    body_text varchar,
    payload varchar,
    source varchar
);
create or replace temp table staged_rejected (
    seq bigint,
    rejection_id varchar,
    locator varchar,
    issue_id varchar,
    issue_key varchar,
    reason varchar,
    payload varchar,
    source varchar
);
