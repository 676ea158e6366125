-- The staged copy of each issue a load keeps: the newest (at equal `updated`, the one
-- staged last). Only keys and order go through the window: sorting the payloads with them
-- cost a fifth of a load's merge.
select seq
from staged_issues
qualify row_number() over (partition by issue_id order by updated_at desc, seq desc) = 1
