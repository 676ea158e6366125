-- The big raw tables lose their primary keys. A DuckDB primary key is an ART index that a
-- bulk load maintains row by row and every checkpoint writes out again: on 100k issues it
-- doubled both the load time and the file size. Keys stay unique because the merges in
-- sql/load/ are the only writers and never insert a key that is already there (tests load
-- everything twice and count). DuckDB cannot drop a constraint, so the tables are rebuilt.
create table raw.issues_unkeyed (
    issue_id varchar not null,
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
insert into raw.issues_unkeyed by name select * from raw.issues;
drop table raw.issues;
alter table raw.issues_unkeyed rename to issues;

create table raw.changelog_unkeyed (
    issue_id varchar not null,
    history_id varchar not null,
    created_at timestamptz not null,
    payload json not null,
    source varchar not null,
    fetched_at timestamptz not null
);
insert into raw.changelog_unkeyed by name select * from raw.changelog;
drop table raw.changelog;
alter table raw.changelog_unkeyed rename to changelog;

create table raw.comments_unkeyed (
    issue_id varchar not null,
    comment_id varchar not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    body_text varchar,
    payload json not null,
    source varchar not null,
    fetched_at timestamptz not null
);
insert into raw.comments_unkeyed by name select * from raw.comments;
drop table raw.comments;
alter table raw.comments_unkeyed rename to comments;
