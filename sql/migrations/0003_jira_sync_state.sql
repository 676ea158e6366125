-- Per-scope sync bookkeeping. `watermark` is the latest `updated` committed: every issue
-- updated before (watermark - overlap) is in raw.issues. It advances page by page, so a
-- killed sync resumes from where it stopped.
create table meta.jira_sync_state (
    scope varchar primary key,
    flavor varchar,
    watermark timestamptz,
    last_sync_at timestamptz,
    last_full_pass_at timestamptz,
    jira_count bigint,
    warehouse_count bigint
);
