"""Near-real-time triage: the sensor, the triage run's assets and job.

The SQL models of the triage metrics (`dbt_like_models/triage/`, group "triage") come with
the other models and run in the triage job; the tracker resource is built in definitions.py.
"""

from ticket_analytics.defs.triage.assets import triage_decisions, triage_verdicts
from ticket_analytics.defs.triage.jobs import triage_job
from ticket_analytics.defs.triage.resources import TriageResource
from ticket_analytics.defs.triage.sensors import triage_sensor

ASSETS = [triage_decisions, triage_verdicts]
JOBS = [triage_job]
SENSORS = [triage_sensor]

__all__ = ["ASSETS", "JOBS", "SENSORS", "TriageResource", "triage_job"]
