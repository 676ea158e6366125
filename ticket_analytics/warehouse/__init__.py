"""The DuckDB warehouse: connections, migrations, raw loads and the SQL model runner."""
