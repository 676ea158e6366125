"""Fixtures of these tests; the helpers live in analysis_support (a module name of its own,
so `conftest` never means two files)."""

from analysis_support import built, built_warehouse, mapped, mapped_warehouse  # noqa: F401
