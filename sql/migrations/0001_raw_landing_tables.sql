-- Landing tables: every row keeps Jira's payload as it came, where it came from and when.
-- Typed columns hold only what keys, upserts and ordering need; models read the payload.
create schema if not exists raw;

create table raw.issues (
    issue_id varchar primary key,
    issue_key varchar not null,
    project_key varchar,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    resolved_at timestamptz,
    description_text varchar,
    payload json not null,
    source varchar not null,
    fetched_at timestamptz not null,
    deleted_at timestamptz
);

create table raw.changelog (
    issue_id varchar not null,
    history_id varchar not null,
    created_at timestamptz not null,
    payload json not null,
    source varchar not null,
    fetched_at timestamptz not null,
    primary key (issue_id, history_id)
);

create table raw.comments (
    issue_id varchar not null,
    comment_id varchar not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    body_text varchar,
    payload json not null,
    source varchar not null,
    fetched_at timestamptz not null,
    primary key (issue_id, comment_id)
);

-- Records that could not be loaded, with the reason: nothing is dropped silently.
-- payload is varchar, not json: the record may be exactly what failed to parse.
create table raw.rejected_issues (
    rejection_id varchar primary key,
    source varchar not null,
    locator varchar not null,
    issue_id varchar,
    issue_key varchar,
    reason varchar not null,
    payload varchar,
    rejected_at timestamptz not null
);
