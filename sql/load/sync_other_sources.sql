select distinct source
from raw.issues
where source like 'jira:%' and source <> $source
