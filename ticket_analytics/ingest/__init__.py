"""Getting tickets into the raw tables: Jira REST sync (files live in warehouse.file_ingest)."""
