-- The staged copy of each comment a load keeps: the newest (at equal `updated`, the one
-- staged last).
select seq
from staged_comments
qualify row_number() over (
    partition by issue_id, comment_id order by updated_at desc, seq desc
) = 1
