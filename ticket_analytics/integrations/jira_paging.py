"""Search paging: the page type, and Data Center's offset walk that neither skips nor repeats.

Kept apart from the client (``integrations.jira``), which sends the requests and maps a
``PagingError`` to a ``JiraError`` naming the call.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ticket_analytics.jira.timestamps import format_jql_datetime, parse_jira_timestamp

log = logging.getLogger(__name__)

DC_SEARCH = "/rest/api/2/search"
DC_RESULT_WINDOW = 10_000
# A window restarts here, so even a 1000-issue page can never reach the limit.
DC_WINDOW_RESTART = 9_000
# Each DC page re-reads this many already-seen issues to detect shifts between pages.
DC_OVERLAP = 5
# A shift the widened re-read cannot bridge restarts the walk from startAt 0, this many times.
DC_MAX_RESTARTS = 3
WINDOW_ORDER = "ORDER BY updated ASC, key ASC"
_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)


class PagingError(RuntimeError):
    """The walk cannot go on without skipping or repeating issues."""


@dataclass(frozen=True)
class SearchPage:
    """One search response. ``start_at``/``total`` exist on Data Center only, and describe the
    query actually sent (a window of the caller's query once results pass 10,000)."""

    issues: list[Any]  # dicts, or simdjson views (`JiraClient.search(views=True)`)
    next_page_token: str | None
    is_last: bool
    start_at: int | None
    total: int | None


def split_order_by(jql: str) -> tuple[str, str | None]:
    """Split JQL into (restriction, 'ORDER BY …' or None), ignoring 'order by' inside quotes."""
    for match in reversed(list(_ORDER_BY.finditer(jql))):
        if jql.count('"', 0, match.start()) % 2 == 0:
            return jql[: match.start()].strip(), jql[match.start() :].strip()
    return jql.strip(), None


def _window_jql(restriction: str, clause: str | None) -> str:
    parts = [f"({restriction})"] if restriction else []
    if clause:
        parts.append(clause)
    return f"{' AND '.join(parts)} {WINDOW_ORDER}".strip()


def _marker(issue: dict[str, Any]) -> tuple[str, str]:
    return str(issue.get("id")), str((issue.get("fields") or {}).get("updated"))


def walk_dc(
    send: Callable[[dict[str, Any]], dict[str, Any]],
    profile_time_zone: Callable[[], str],
    jql: str,
    fields: list[str],
    expand: str,
    page_size: int,
) -> Iterator[SearchPage]:
    """Offset paging that neither skips nor repeats, split into ``updated`` windows past 10k.

    Offsets advance by the issues actually returned (servers cap page sizes silently).
    Each later page starts ``DC_OVERLAP`` issues early and must open on an issue already
    seen: issues updated mid-walk re-sort to the end (or get deleted) and shift the rest
    left, which plain offsets would turn into silently skipped issues. If the overlap was
    not enough the page is re-read from further back (up to ``8 * DC_OVERLAP``); a shift
    larger than that restarts the walk from startAt 0 (at most ``DC_MAX_RESTARTS`` times,
    then ``PagingError``): the walk never carries on past a detected shift. Issues already
    yielded with the same (id, updated) are dropped, so a re-walk yields only what changed;
    one seen again with a newer ``updated`` changed mid-walk and is yielded again, so the
    caller ends with its latest state.

    Data Center cannot page past ``max_result_window`` (10,000): once ``total`` exceeds it
    the walk re-issues the caller's restriction ordered ``updated ASC, key ASC`` and, every
    ~9,000 results, restarts with ``AND updated >= "<last updated minute>"`` inserted
    before the ORDER BY (formatted in the profile zone, since JQL reads literals there;
    minute precision, so that minute is re-read and de-duplicated). A window that cannot
    advance (over 9,000 issues updated in one minute) raises ``PagingError``.
    """
    path = DC_SEARCH
    expand_list = [part.strip() for part in expand.split(",") if part.strip()]
    restriction, order = split_order_by(jql)
    seen: set[tuple[str, str]] = set()
    query, start, back, windowed, clause = jql, 0, DC_OVERLAP, False, None
    restarts = 0
    while True:
        ask = max(0, start - back) if start else 0
        body = {
            "jql": query,
            "startAt": ask,
            "fields": fields,
            "maxResults": min(page_size, DC_RESULT_WINDOW - ask),
        }
        if expand_list:
            body["expand"] = expand_list
        page = send(body)
        issues = list(page.get("issues") or [])
        total = int(page.get("total") or 0)
        if not windowed and total > DC_RESULT_WINDOW:
            windowed = True
            ordered = " ".join((order or "").split()).lower() == WINDOW_ORDER.lower()
            if not {"updated", "*all", "*navigable"} & set(fields):
                fields, ordered = [*fields, "updated"], False
            if not ordered:
                query, start = _window_jql(restriction, None), 0
                continue
        if back and ask and issues and _marker(issues[0]) not in seen:
            # The page does not open on an issue already seen: results shifted left.
            if back < 8 * DC_OVERLAP:
                back *= 2
                continue
            restarts += 1
            if restarts > DC_MAX_RESTARTS:
                detail = (
                    f"results kept shifting while paging (issues updated or deleted "
                    f"mid-walk); restarted {DC_MAX_RESTARTS} times from startAt 0, giving up"
                )
                raise PagingError(detail)
            log.warning(
                "Jira %s: results shifted by more than %d issues between pages; "
                "re-walking from startAt 0 (restart %d/%d)",
                path,
                back,
                restarts,
                DC_MAX_RESTARTS,
            )
            start, back = 0, DC_OVERLAP
            continue
        # Re-read at least one issue (any left shift then shows), but stay below the page.
        back = min(DC_OVERLAP, max(1, len(issues) // 4)) if len(issues) > 1 else 0
        start = max(start, ask + len(issues))
        fresh = [issue for issue in issues if _marker(issue) not in seen]
        seen.update(_marker(issue) for issue in fresh)
        done = not issues or start >= total
        last_updated: str = issues[-1]["fields"]["updated"] if windowed and issues else ""
        # a page can be megabytes: not kept while the next one downloads
        del page, issues
        yield SearchPage(fresh, None, done, ask, total)
        del fresh
        if done:
            return
        if windowed and start >= DC_WINDOW_RESTART:
            last = parse_jira_timestamp(last_updated)
            minute = format_jql_datetime(last, profile_time_zone())
            if clause == f'updated >= "{minute}"':
                detail = f"over {DC_WINDOW_RESTART} issues updated in minute {minute}"
                raise PagingError(f"{detail}; cannot window past it")
            clause = f'updated >= "{minute}"'
            query, start = _window_jql(restriction, clause), 0
