-- Payloads are most of the raw tables' bytes. With DuckDB's default for strings (dictionary
-- and FSST) a 100k-issue load made a 380 MB file and writing it took a third of the load;
-- with zstd the file is about 85 MB, the load writes faster, and reads stay fast. A column's
-- compression cannot be altered, and a column added later cannot be made not null in the
-- same transaction as its backfill, so the tables are rebuilt as they stand.
create table raw.issues_zstd (
    issue_id varchar not null,
    issue_key varchar not null,
    project_key varchar,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    resolved_at timestamptz,
    description_text varchar,
    payload json not null using compression zstd,
    source varchar not null,
    fetched_at timestamptz not null,
    deleted_at timestamptz,
    parsed struct(
        summary varchar,
        issuetype struct(name varchar),
        status struct(name varchar, statusCategory struct("key" varchar)),
        priority struct(name varchar),
        resolution struct(name varchar),
        reporter struct(accountId varchar, "key" varchar, name varchar, displayName varchar),
        assignee struct(accountId varchar, "key" varchar, name varchar, displayName varchar),
        labels varchar[],
        components struct(name varchar)[]
    ),
    searchable_text varchar
);
insert into raw.issues_zstd by name select * from raw.issues;
drop table raw.issues;
alter table raw.issues_zstd rename to issues;

create table raw.changelog_zstd (
    issue_id varchar not null,
    history_id varchar not null,
    created_at timestamptz not null,
    payload json not null using compression zstd,
    source varchar not null,
    fetched_at timestamptz not null,
    parsed struct(
        author struct(accountId varchar, "key" varchar, name varchar, displayName varchar),
        items struct(field varchar, fromString varchar, toString varchar)[]
    )
);
insert into raw.changelog_zstd by name select * from raw.changelog;
drop table raw.changelog;
alter table raw.changelog_zstd rename to changelog;

create table raw.comments_zstd (
    issue_id varchar not null,
    comment_id varchar not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    body_text varchar,
    payload json not null using compression zstd,
    source varchar not null,
    fetched_at timestamptz not null,
    parsed struct(
        author struct(accountId varchar, "key" varchar, name varchar, displayName varchar),
        jsdPublic boolean
    )
);
insert into raw.comments_zstd by name select * from raw.comments;
drop table raw.comments;
alter table raw.comments_zstd rename to comments;
