-- Triage: every decision the bot makes, the analyzer's verdict per ticket and required field
-- (the documentation-gap models read these, one source of truth), and the local tracker that
-- stands in for Jira in the demo (tickets, comments, labels).
create schema if not exists raw;
create schema if not exists tracker;

-- Append-only: one row per ticket per triage pass, whatever happened (also dry runs,
-- shadow passes and failures). `action` is what was done; `planned_action` what live mode
-- does (the same, except in dry-run and shadow). Latency runs from the ticket's creation.
create table raw.triage_decisions (
    decision_id varchar not null,
    issue_key varchar not null,
    issue_id varchar not null,
    category varchar not null,
    present_fields json not null,
    missing_fields varchar[] not null,
    action varchar not null,
    planned_action varchar not null,
    analysis_hash varchar not null,
    ticket_created_at timestamptz,
    ticket_updated_at timestamptz,
    latency_seconds double,
    tracker varchar not null,
    backend varchar not null,
    mode varchar not null,
    comment_text varchar,
    run_id varchar,
    decided_at timestamptz not null,
    error varchar
);

-- What the analyzer last read of each ticket: the input and analyzer fingerprints tell a new
-- or changed ticket (or a changed catalog or rules) from one already analysed. Tickets of a
-- category without required fields live only here.
create table raw.triage_analyses (
    issue_id varchar primary key,
    issue_key varchar not null,
    category varchar not null,
    missing_count integer not null,
    analysis_hash varchar not null,
    input_hash varchar not null,
    analyzer_hash varchar not null,
    source_updated_at timestamptz,
    analysed_at timestamptz not null
);

create table raw.triage_verdicts (
    issue_id varchar not null,
    field_id varchar not null,
    issue_key varchar not null,
    category varchar not null,
    field_rank integer not null,
    is_present boolean not null,
    evidence varchar not null,
    analysis_hash varchar not null,
    analysed_at timestamptz not null,
    primary key (issue_id, field_id)
);

-- The local tracker: payload is the issue as Jira would send it (Cloud v3 or Data Center
-- v2); labels and times live in columns because the tracker changes them.
create table tracker.issues (
    issue_key varchar primary key,
    issue_id varchar not null,
    payload json not null,
    labels varchar[] not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);

create sequence tracker.comment_ids start 1;

create table tracker.comments (
    comment_id bigint primary key default nextval('tracker.comment_ids'),
    issue_key varchar not null,
    author varchar not null,
    body varchar not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
