"""Publishers of the monthly report: Confluence storage page, offline preview, Slack message."""
