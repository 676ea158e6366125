select answer_json
from raw.llm_cache
where
    model = $model
    and prompt_hash = $prompt_hash
    and schema_version = $schema_version
