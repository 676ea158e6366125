select count(*) as live
from raw.issues
where source = $source and deleted_at is null
