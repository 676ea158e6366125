"""The custom fields of the heavy fake Jira's issues, in 8 variants: most of ~80 null, as on
real sites, and the rest shaped like Jira Service Management's and Jira Software's own
(request type, SLAs, sprint, rank, options, an approver)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fakes.jira_render import Renderer

_NULL_CUSTOM = (
    *range(10001, 10003),
    *range(10022, 10030),
    *range(10032, 10040),
    *range(10043, 10060),
    *range(10100, 10130),
)
CUSTOM_FIELDS = tuple(
    f"customfield_{n}"
    for n in sorted(
        {*_NULL_CUSTOM, 10000, 10003, *range(10010, 10022), 10030, 10031, 10040, 10041, 10042}
    )
)
# Avatar sizes, in the order Jira Cloud lists them.
SIZES = ("48x48", "24x24", "16x16", "32x32")


def custom_values(renderer: Renderer, variant: int, api: int) -> dict[str, Any]:
    """Variant ``variant`` of the custom fields: Service Management's request type and SLAs, a
    sprint, options, an approver, and dozens of fields this project never set."""
    base = f"{renderer.base}/rest/api/{api}"
    moment = datetime(2025, 11, 3, 9, 0, tzinfo=renderer.zone) + timedelta(hours=variant)
    stamp = {
        "iso8601": renderer.ts(moment),
        "jira": renderer.ts(moment),
        "friendly": "03/Nov/25 9:00 AM",
        "epochMillis": int(moment.timestamp() * 1000),
    }
    sla = {
        "id": "1",
        "name": "Time to resolution",
        "_links": {"self": f"{renderer.base}/rest/servicedeskapi/request/10627/sla/1"},
        "completedCycles": []
        if variant % 2
        else [
            {
                "startTime": stamp,
                "stopTime": stamp,
                "breached": False,
                "goalDuration": {"millis": 28_800_000, "friendly": "8h"},
                "elapsedTime": {"millis": 3_600_000, "friendly": "1h"},
                "remainingTime": {"millis": 25_200_000, "friendly": "7h"},
            }
        ],
        "ongoingCycle": {
            "startTime": stamp,
            "breachTime": stamp,
            "breached": variant == 3,
            "paused": False,
            "withinCalendarHours": True,
            "goalDuration": {"millis": 28_800_000, "friendly": "8h"},
            "elapsedTime": {"millis": 3_600_000, "friendly": "1h"},
            "remainingTime": {"millis": 25_200_000, "friendly": "7h"},
        },
        "slaDisplayFormat": "NEW_SLA_FORMAT",
    }
    icon = f"{renderer.base}/rest/api/2/universal_avatar/view/type/SD_REQTYPE/avatar/10572"
    request_type = {
        "_links": {
            "jiraRest": f"{base}/issue/10627",
            "web": f"{renderer.base}/servicedesk/customer/portal/1/OPS-1",
            "self": f"{renderer.base}/rest/servicedeskapi/request/10627",
        },
        "requestType": {
            "_expands": ["field"],
            "id": str(10 + variant),
            "_links": {
                "self": f"{renderer.base}/rest/servicedeskapi/servicedesk/1/requesttype/{10 + variant}"
            },
            "name": (
                "Get IT help",
                "Request access",
                "Report an incident",
                "Request a new database",
            )[variant % 4],
            "description": "Get assistance for general IT problems and questions.",
            "helpText": "Tell us as much as you can; we answer within one business day.",
            "issueTypeId": "10001",
            "serviceDeskId": "1",
            "portalId": "1",
            "groupIds": ["2"],
            "icon": {
                "id": "10572",
                "_links": {"iconUrls": {size: f"{icon}?size={size}" for size in SIZES}},
            },
        },
        "currentStatus": {
            "status": "Waiting for support",
            "statusCategory": "NEW",
            "statusDate": stamp,
        },
    }
    option = {
        "self": f"{base}/customFieldOption/{10016 + variant % 3}",
        "value": ("To Do", "Eu-West", "Tier 2")[variant % 3],
        "id": str(10016 + variant % 3),
    }
    values: dict[str, Any] = dict.fromkeys(CUSTOM_FIELDS)
    values |= {
        "customfield_10000": "{}",
        "customfield_10003": [renderer.user("carol", api)] if variant % 2 else None,
        "customfield_10010": request_type,
        "customfield_10011": "EPIC NAME TEXT" if variant == 0 else None,
        "customfield_10012": option,
        "customfield_10013": "ghx-label-14",
        "customfield_10015": "2025-11-03" if variant % 3 == 0 else None,
        "customfield_10016": float(variant % 5) or None,
        "customfield_10017": "dark_orange",
        "customfield_10018": {
            "hasEpicLinkFieldDependency": False,
            "showField": False,
            "nonEditableReason": {
                "reason": "PLUGIN_LICENSE_ERROR",
                "message": "The Parent Link is only available to Jira Premium users.",
            },
        },
        "customfield_10019": f"0|i00{variant}7b:",
        "customfield_10020": [
            {
                "id": 42,
                "name": "OPS Sprint 42",
                "state": "active",
                "boardId": 3,
                "goal": "",
                "startDate": stamp["iso8601"],
                "endDate": stamp["iso8601"],
            }
        ]
        if variant % 2 == 0
        else None,
        "customfield_10021": [
            {"self": f"{base}/customFieldOption/10019", "value": "Impediment", "id": "10019"}
        ]
        if variant == 5
        else None,
        "customfield_10030": sla,
        "customfield_10031": {**sla, "id": "2", "name": "Time to first response"},
        "customfield_10040": [option, {**option, "value": "Eu-Central", "id": "10020"}]
        if variant % 3
        else None,
        "customfield_10041": "Impact: a single team" if variant % 2 else None,
        "customfield_10042": variant * 1.5 if variant else None,
    }
    return values
