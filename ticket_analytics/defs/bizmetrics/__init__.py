"""Business metrics from application logs: raw assets, dashboard, Datadog, job and sensor.

The SQL models of the group (`dbt_like_models/bizmetrics/`, group "bizmetrics") come with the
other model assets and run in the same job; its resources are built in definitions.py.
"""

from ticket_analytics.defs.bizmetrics.assets import raw_biz_events, raw_infra_metrics
from ticket_analytics.defs.bizmetrics.dashboard import business_dashboard_html
from ticket_analytics.defs.bizmetrics.datadog import DatadogResource, datadog_series
from ticket_analytics.defs.bizmetrics.jobs import bizmetrics_job
from ticket_analytics.defs.bizmetrics.resources import BizLogsResource
from ticket_analytics.defs.bizmetrics.sensors import bizlogs_sensor

ASSETS = [raw_biz_events, raw_infra_metrics, business_dashboard_html, datadog_series]
JOBS = [bizmetrics_job]
SENSORS = [bizlogs_sensor]

__all__ = ["ASSETS", "JOBS", "SENSORS", "BizLogsResource", "DatadogResource", "bizmetrics_job"]
