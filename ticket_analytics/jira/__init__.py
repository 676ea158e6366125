"""Jira payload normalisation: ADF, timestamps, records."""
