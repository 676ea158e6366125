"""The request-category catalog (YAML in the package) published as warehouse tables."""

from collections.abc import Iterator

import dagster as dg

from ticket_analytics.catalog import DEFAULT_CATALOG, load_catalog
from ticket_analytics.defs.resources import WarehouseResource
from ticket_analytics.warehouse.catalog_tables import write_catalog

CATALOG_TABLES = ("categories", "category_hints", "required_fields")


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            dg.AssetKey(["catalog", "categories"]),
            description="Request categories (ids are a contract), names in Korean and English.",
        ),
        dg.AssetSpec(
            dg.AssetKey(["catalog", "category_hints"]),
            description="Keyword hints per category; the first category (by rank) that matches wins.",
        ),
        dg.AssetSpec(
            dg.AssetKey(["catalog", "required_fields"]),
            description="The information each category's requests must carry.",
        ),
    ],
    group_name="catalog",
)
def catalog_tables(warehouse: WarehouseResource) -> Iterator[dg.MaterializeResult]:
    """Validate the catalog YAML and rewrite the catalog tables from it."""
    catalog = load_catalog()
    with warehouse.connect() as conn:
        counts = write_catalog(conn, catalog)
    for table in CATALOG_TABLES:
        yield dg.MaterializeResult(
            asset_key=dg.AssetKey(["catalog", table]),
            metadata={"dagster/row_count": counts[table], "catalog_file": str(DEFAULT_CATALOG)},
        )
