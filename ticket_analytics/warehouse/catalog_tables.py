"""Write the category catalog into `catalog.*` so SQL models can classify and check fields."""

from __future__ import annotations

import duckdb

from ticket_analytics.catalog import Catalog, hint_needle


def write_catalog(conn: duckdb.DuckDBPyConnection, catalog: Catalog) -> dict[str, int]:
    """Replace the catalog tables in one transaction; returns row counts per table."""
    categories = [
        (c.id, rank, c.name.ko, c.name.en, c.description)
        for rank, c in enumerate(catalog.categories)
    ]
    hints = [
        (c.id, rank, hint, hint_needle(hint))
        for rank, c in enumerate(catalog.categories)
        for hint in dict.fromkeys(c.hints)
    ]
    fields = [
        (c.id, f.id, rank, f.label.ko, f.label.en, f.description, f.example)
        for c in catalog.categories
        for rank, f in enumerate(c.required_fields)
    ]
    conn.execute("begin transaction")
    try:
        conn.execute("delete from catalog.categories")
        conn.execute("delete from catalog.category_hints")
        conn.execute("delete from catalog.required_fields")
        conn.executemany("insert into catalog.categories values (?, ?, ?, ?, ?)", categories)
        if hints:  # duckdb 2 rejects executemany with no rows
            conn.executemany(
                "insert into catalog.category_hints (category_id, category_rank, hint, needle)"
                " values (?, ?, ?, ?)",
                hints,
            )
        if fields:
            conn.executemany(
                "insert into catalog.required_fields values (?, ?, ?, ?, ?, ?, ?)", fields
            )
        conn.execute("commit")
    except Exception:
        conn.execute("rollback")
        raise
    return {
        "categories": len(categories),
        "category_hints": len(hints),
        "required_fields": len(fields),
    }
