"""ticket_analytics: analytics and triage for DevOps request tickets."""
