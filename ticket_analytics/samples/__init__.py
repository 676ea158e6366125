"""Deterministic sample data: realistic Jira Cloud search pages for `make demo` and benchmarks."""
