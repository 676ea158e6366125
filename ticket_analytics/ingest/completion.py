"""Search pages with every truncated changelog and comment list fetched in full.

Jira embeds at most 20 histories and 20 comments in a search result; about one issue in
ten at Jira's weight has more, and each of those is a request of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from ticket_analytics.integrations.jira import JiraClient, SearchPage
from ticket_analytics.jira.records import is_object

# Truncated lists fetched at once, while the next page downloads.
COMPLETION_THREADS = 4


class Fetches(Protocol):
    changelog_fetches: int
    comment_fetches: int


@dataclass(frozen=True)
class FullLists:
    """An issue's changelog and/or comment list fetched in full (None: the embedded one is)."""

    histories: list[Any] | None = None
    comments: list[Any] | None = None


# A page, and the fetches under way of its issues' cut-short lists, by position.
CompletingPage = tuple[SearchPage, dict[int, Future[FullLists]]]


def completing(
    client: JiraClient, pages: Iterable[SearchPage], counts: Fetches
) -> Iterator[CompletingPage]:
    """`pages`, each with the fetches of its truncated changelogs and comment lists started;
    `full_lists` waits for them.

    The lists come beside the page rather than in it: the page's issues stay read-only views,
    and turning a whole issue into dicts to replace one list cost more than fetching it.

    A page's fetches run a few at a time while the next page downloads and while earlier
    pages become rows; run in the page reader's thread (`prefetched`), all of it overlaps the
    rows built from earlier pages. Fetched one by one between pages, they had made the reader
    the sync's bottleneck. The page is handed on at once rather than kept until its fetches
    end: every page held is megabytes of parsed JSON.
    """
    with ThreadPoolExecutor(COMPLETION_THREADS, "sync-complete") as pool:
        for page in pages:
            yield page, _start(client, pool, page, counts)
            del page  # not kept while the next page downloads


def full_lists(fetching: dict[int, Future[FullLists]]) -> dict[int, FullLists]:
    """The full lists of a page's issues, once fetched (a fetch's error is raised here)."""
    return {i: future.result() for i, future in fetching.items()}


def _start(
    client: JiraClient, pool: ThreadPoolExecutor, page: SearchPage, counts: Fetches
) -> dict[int, Future[FullLists]]:
    futures = {}
    for i, issue in enumerate(page.issues):
        changelog, comments = _truncated_lists(issue)
        if changelog or comments:
            futures[i] = pool.submit(_complete, client, issue, changelog, comments)
            counts.changelog_fetches += changelog
            counts.comment_fetches += comments
    return futures


def _truncated_lists(issue: Any) -> tuple[bool, bool]:
    """Whether the issue's embedded changelog, and its embedded comment list, are cut short."""
    if not is_object(issue):
        return False, False  # the loader rejects it with the reason
    changelog = issue.get("changelog")
    fields = issue.get("fields")
    comment = fields.get("comment") if is_object(fields) else None
    return (
        is_object(changelog) and _truncated(changelog, "histories"),
        is_object(comment) and _truncated(comment, "comments"),
    )


def _complete(client: JiraClient, issue: Any, changelog: bool, comments: bool) -> FullLists:
    key = str(issue.get("key", ""))
    return FullLists(
        client.issue_changelog(key, views=True) if changelog else None,
        client.issue_comments(key, views=True) if comments else None,
    )


def _truncated(embedded: Any, items: str) -> bool:
    try:
        return int(embedded.get("total") or 0) > len(embedded.get(items) or [])
    except (TypeError, ValueError):
        return False
