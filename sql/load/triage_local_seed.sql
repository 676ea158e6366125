-- The most recent loaded tickets, newest first: the demo replays them as new local tickets.
select issue_key, issue_id, payload
from raw.issues
where deleted_at is null
order by created_at desc, issue_key desc
limit $limit
