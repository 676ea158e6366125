"""Search pages with every truncated changelog and comment list fetched in full.

Jira embeds at most 20 histories and 20 comments in a search result; about one issue in
ten at Jira's weight has more, and each of those is a request of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from ticket_analytics.integrations.jira import JiraClient, SearchPage
from ticket_analytics.jira.records import is_object, plain

# Truncated lists fetched at once, while the next page downloads.
COMPLETION_THREADS = 4


class Fetches(Protocol):
    changelog_fetches: int
    comment_fetches: int


def completed(
    client: JiraClient, pages: Iterable[SearchPage], counts: Fetches
) -> Iterator[SearchPage]:
    """`pages`, each with its truncated changelogs and comment lists fetched in full.

    A page's fetches run a few at a time while the next page downloads; run in the page
    reader's thread (`prefetched`), all of it overlaps the rows built from earlier pages.
    Fetched one by one between pages, they had made the reader the sync's bottleneck.
    """
    with ThreadPoolExecutor(COMPLETION_THREADS, "sync-complete") as pool:
        previous: tuple[SearchPage, dict[int, Future[Any]]] | None = None
        for page in pages:
            current = (page, _start(client, pool, page, counts))
            if previous is not None:
                yield _with_results(*previous)
            previous = current
        if previous is not None:
            yield _with_results(*previous)


def _start(
    client: JiraClient, pool: ThreadPoolExecutor, page: SearchPage, counts: Fetches
) -> dict[int, Future[Any]]:
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


def _complete(client: JiraClient, issue: Any, changelog: bool, comments: bool) -> Any:
    """The issue as dicts (a page's views are read-only), with its changelog and/or comment
    list fetched in full."""
    key = str(issue.get("key", ""))
    issue = plain(issue)
    if changelog:
        embedded = issue["changelog"]
        embedded["histories"] = client.issue_changelog(key)
        embedded["maxResults"] = embedded["total"] = len(embedded["histories"])
    if comments:
        issue["fields"]["comment"]["comments"] = client.issue_comments(key)
    return issue


def _truncated(embedded: Any, items: str) -> bool:
    try:
        return int(embedded.get("total") or 0) > len(embedded.get(items) or [])
    except (TypeError, ValueError):
        return False


def _with_results(page: SearchPage, completed: dict[int, Future[Any]]) -> SearchPage:
    for i, future in completed.items():
        page.issues[i] = future.result()
    return page
