"""Fixtures of these tests; the helpers live in triage_support (a module name of its own,
so `conftest` never means two files)."""

from triage_support import eval_dir, jira, merged_defs, poll, sleeps, tracker  # noqa: F401
