-- The monthly map's answer per ticket: category (which overrides the keyword rules in
-- fct_tickets), sub-theme, toil, automation idea, the category's own missing fields and a
-- one-line summary. Keyed by (issue_id, month): a re-run of a month overwrites its rows.
-- `batch` and `prompt_hash` say which map request produced the row, so the reduce can tell a
-- batch that is missing or stale (its tickets changed since) from one that is done.
create schema if not exists raw;

create table raw.llm_ticket_insights (
    issue_id varchar not null,
    month varchar not null,
    issue_key varchar not null,
    category varchar not null,
    sub_theme varchar not null,
    is_toil boolean not null,
    toil_reason varchar not null,
    automation_idea varchar not null,
    missing_fields varchar[] not null,
    summary varchar not null,
    model varchar not null,
    backend varchar not null,
    batch varchar not null,
    prompt_hash varchar not null,
    analysed_at timestamptz not null,
    primary key (issue_id, month)
);
