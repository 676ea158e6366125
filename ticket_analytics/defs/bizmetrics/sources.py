"""Where the business logs and the infrastructure metrics come from.

`TA_BIZ_LOGS` and `TA_INFRA_METRICS` (paths, not secrets, read when used like the other
`TA_*` paths) name a file or a directory. With neither set, the demo's sample logs and
infra metrics are used, generated on first use next to the sample tickets and lined up
with the sample's incident tickets. Once logs are configured, no sample infra is ever
mixed in: infra without `TA_INFRA_METRICS` is simply not imported.
"""

from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from ticket_analytics.paths import configured_path, sample_dir

LOGS_VARIABLE = "TA_BIZ_LOGS"
INFRA_VARIABLE = "TA_INFRA_METRICS"
# three weeks: a baseline week for the anomaly detector, then two weeks of incidents
DEMO_DAYS = 21


def sample_applogs_dir() -> Path:
    """Beside the sample tickets, not inside: a ticket load reads that whole folder."""
    return sample_dir().with_name("sample_applogs")


def _sample_until(tickets: Path) -> date:
    """The sample tickets' last day (their manifest says), so incidents line up with them."""
    manifest = tickets / "manifest.yaml"
    if manifest.exists():
        until = (yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}).get("until")
        if until:
            return date.fromisoformat(str(until))
    return datetime.now(UTC).date()


def ensure_sample_applogs() -> Path:
    """The demo's application logs and infra metrics (`logs/`, `infra/`), generated once."""
    from ticket_analytics.defs.ingest.assets import ensure_sample
    from ticket_analytics.samples.applogs import write_demo_applogs

    root = sample_applogs_dir()
    if not (root / "logs").is_dir() or not any((root / "logs").iterdir()):
        tickets = ensure_sample()
        write_demo_applogs(root, tickets, until=_sample_until(tickets), days=DEMO_DAYS)
    return root


def logs_path(configured: str = "") -> Path:
    """The logs to read: the given path, else TA_BIZ_LOGS, else the demo sample."""
    if configured:
        return Path(configured).resolve()
    return configured_path(LOGS_VARIABLE) or ensure_sample_applogs() / "logs"


def infra_path(configured: str = "") -> Path | None:
    """The infra metrics to import: the given path, else TA_INFRA_METRICS, else the demo
    sample when the logs are the demo's too; None means there is nothing to import."""
    if configured:
        return Path(configured).resolve()
    if (found := configured_path(INFRA_VARIABLE)) is not None:
        return found
    if configured_path(LOGS_VARIABLE) is not None:
        return None
    return ensure_sample_applogs() / "infra"


def watched_logs() -> Path:
    """What the sensor watches: TA_BIZ_LOGS, else the demo sample's logs (never generated
    by the sensor: a sensor has no business writing files)."""
    return configured_path(LOGS_VARIABLE) or sample_applogs_dir() / "logs"
