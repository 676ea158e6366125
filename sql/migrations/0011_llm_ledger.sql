-- Every LLM call (and every call not made: cache hits, budget stops) as one row: what was
-- asked (hashes, not the prompt), of which model, what it cost and how it ended. The month's
-- spend for the budget is summed from here, so rows are never deleted.
create schema if not exists raw;

create table raw.llm_calls (
    call_id varchar primary key,
    run_id varchar not null,
    partition_key varchar not null,
    role varchar not null,
    backend varchar not null,
    model varchar not null,
    schema_name varchar not null,
    schema_version varchar not null,
    prompt_hash varchar not null,
    -- 1 for the first answer, 2 for the repair after an invalid answer or a refusal.
    attempt integer not null,
    -- HTTP retries (429, 5xx, timeouts) inside this call.
    retries integer not null,
    prompt_tokens bigint not null,
    completion_tokens bigint not null,
    cached_tokens bigint not null,
    cost_usd double not null,
    latency_ms double not null,
    outcome varchar not null check (
        outcome in ('ok', 'cached', 'repaired', 'invalid', 'refused', 'error', 'budget_exceeded')
    ),
    -- The model's answer when it could not be used (invalid JSON, a refusal), for inspection.
    raw_answer varchar,
    error varchar,
    called_at timestamptz not null
);

-- Valid answers by (model, prompt, schema): the same request is answered from here, free.
create table raw.llm_cache (
    model varchar not null,
    prompt_hash varchar not null,
    schema_version varchar not null,
    answer_json varchar not null,
    created_at timestamptz not null,
    primary key (model, prompt_hash, schema_version)
);
