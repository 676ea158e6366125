insert into raw.llm_cache (model, prompt_hash, schema_version, answer_json, created_at)
values ($model, $prompt_hash, $schema_version, $answer_json, $created_at)
on conflict (model, prompt_hash, schema_version) do update set
    answer_json = excluded.answer_json,
    created_at = excluded.created_at
