"""Month partitions for the monthly marts (UTC months, keys like 2025-10)."""

import dagster as dg

# Only complete months: the latest partition is last month, which the monthly schedule builds.
MONTHLY = dg.MonthlyPartitionsDefinition(start_date="2023-01", fmt="%Y-%m")
