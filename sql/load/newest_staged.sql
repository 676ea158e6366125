-- The staged copy of each row a load keeps, picked once for all the merges: the newest
-- issue and comment (at equal `updated`, the one staged last) and the first copy of each
-- history (histories never change). Only keys and order go through the windows: sorting
-- the payloads with them cost a fifth of a load's merge.
create or replace temp table newest_issues as
select seq
from staged_issues
qualify row_number() over (partition by issue_id order by updated_at desc, seq desc) = 1;

create or replace temp table first_histories as
select seq
from staged_changelog
qualify row_number() over (partition by issue_id, history_id order by seq) = 1;

create or replace temp table newest_comments as
select seq
from staged_comments
qualify row_number() over (
    partition by issue_id, comment_id order by updated_at desc, seq desc
) = 1;
