-- The staged copy of each history a load keeps: the first (histories never change).
select seq
from staged_changelog
qualify row_number() over (partition by issue_id, history_id order by seq) = 1
