"""The monthly LLM analysis: batches (map), insights (reduce) and the report they make."""
