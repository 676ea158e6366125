insert into raw.rejected_issues (
    rejection_id, source, locator, issue_id, issue_key, reason, payload, rejected_at
)
select rejection_id, source, locator, issue_id, issue_key, reason, payload, $fetched_at::timestamptz
from staged_rejected
qualify row_number() over (partition by rejection_id order by seq) = 1
on conflict (rejection_id) do nothing
