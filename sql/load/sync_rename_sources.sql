update raw.issues
set source = $source
where source in (select unnest($older_sources::varchar[]))
