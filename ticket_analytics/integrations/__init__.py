"""Clients for the external systems the pipeline talks to (Jira first); plain Python, no Dagster."""
