"""Data-quality suites (Great Expectations) on the warehouse models, free of Dagster."""
