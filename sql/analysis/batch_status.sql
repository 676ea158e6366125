-- What the map has written for a month: per ticket, the batch and prompt that produced it.
select
    issue_id,
    batch,
    prompt_hash
from raw.llm_ticket_insights
where month = $month
