-- Every ticket key of month $month (session zone, as the marts count months): the only keys
-- a report may cite.
select issue_key
from fct_tickets
where
    created_at >= ($month || '-01')::timestamptz
    and created_at < ($month || '-01')::timestamptz + interval 1 month
