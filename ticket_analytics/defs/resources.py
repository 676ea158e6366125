"""Resources shared by every domain."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from ticket_analytics.paths import warehouse_path
from ticket_analytics.warehouse.connection import connect


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse. Runs are its only writer and hold it only briefly."""

    path: str = ""

    @property
    def file(self) -> Path:
        return Path(self.path).resolve() if self.path else warehouse_path()

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with connect(self.file, read_only=read_only) as conn:
            yield conn
