"""Business events from application logs, and infrastructure metrics, into the warehouse.

No Dagster here: assets, the sensor and the CLI call these functions with a connection.
"""

from __future__ import annotations

from ticket_analytics.bizlogs.checkpoints import discover, file_signature
from ticket_analytics.bizlogs.infra import InfraStats, import_infra, import_infra_path
from ticket_analytics.bizlogs.ingest import BizLogConfig, IngestStats, TagCardinality, ingest_logs

__all__ = [
    "BizLogConfig",
    "InfraStats",
    "IngestStats",
    "TagCardinality",
    "discover",
    "file_signature",
    "import_infra",
    "import_infra_path",
    "ingest_logs",
]
