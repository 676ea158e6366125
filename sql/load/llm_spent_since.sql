-- Spend since the start of the billing month (UTC, as providers bill).
select coalesce(sum(cost_usd), 0.0) as spent_usd
from raw.llm_calls
where called_at >= $since
