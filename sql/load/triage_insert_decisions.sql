-- Decisions arrive as a registered Arrow table (`decisions`); the log is append-only.
insert into raw.triage_decisions by name
select
    decision_id,
    issue_key,
    issue_id,
    category,
    present_fields::json as present_fields,
    missing_fields,
    action,
    planned_action,
    analysis_hash,
    ticket_created_at,
    ticket_updated_at,
    latency_seconds,
    tracker,
    backend,
    mode,
    comment_text,
    run_id,
    decided_at,
    error
from decisions
