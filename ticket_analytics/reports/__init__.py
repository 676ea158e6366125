"""Charts and the offline HTML dashboard built from the marts; no Dagster in here."""
