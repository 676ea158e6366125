"""What makes a fake issue as heavy as Jira's (``FakeJira(weight="jira")``): Jira's spread of
histories and comments, histories with several items on many fields, and rich bodies from the
pools in ``jira_heavy_text``. Issues share the pooled objects, so 100k of them cost the memory
of their histories and comments only.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from fakes.jira_data import USERS, Comment, History, StoredIssue, walk
from fakes.jira_heavy_text import COMMENT_BODIES, DESCRIPTIONS, WORDS, adf_plain

# (share of issues, fewest, most): most issues carry up to 20 of each, the number Cloud
# search embeds; about one in ten has more histories or comments, which the client must page.
HISTORY_COUNTS = ((0.40, 0, 5), (0.35, 6, 12), (0.18, 13, 20), (0.07, 21, 60))
COMMENT_COUNTS = ((0.40, 0, 2), (0.38, 3, 7), (0.18, 8, 20), (0.04, 21, 40))

# Non-status changes as Jira records them, on fields the warehouse's models do not read.
# (field, from, fromString, to, toString)
_LONG_OLD = " ".join(WORDS[:4]).capitalize() + "."
_LONG_NEW = " ".join(WORDS[3:9]).capitalize() + "."
EXTRA_ITEMS: tuple[tuple[str, str | None, str | None, str | None, str | None], ...] = (
    (
        "assignee",
        "5f1c0ffee00000000000a11c",
        "Alice Ops",
        "5f1c0ffee00000000000b0b0",
        "Bob Builder",
    ),
    ("labels", None, "", None, "access urgent"),
    ("Sprint", None, "", "42", "OPS Sprint 42"),
    ("timeestimate", None, None, "3600", "3600"),
    ("timeoriginalestimate", None, None, "7200", "7200"),
    ("Attachment", None, None, "10230", "screenshot-2025-11-03.png"),
    ("Link", None, None, "OPS-1234", "This issue relates to OPS-1234"),
    ("Component", None, None, "10065", "Database"),
    ("Fix Version", None, None, "10101", "2025.11"),
    ("Rank", None, None, None, "Ranked higher"),
    ("Request participants", None, "[]", None, "[5f1c0ffee00000000000ca01]"),
    ("description", None, _LONG_OLD, None, _LONG_NEW),
    ("summary", None, "Database slow", None, "Database slow after the index migration"),
)
_DONE_ITEM = ("resolution", None, None, "10000", "Done")


def _count(rng: random.Random, spread: tuple[tuple[float, int, int], ...]) -> int:
    roll = rng.random()
    for share, low, high in spread:
        if roll < share:
            return low + int(rng.random() * (high - low + 1))
        roll -= share
    return spread[-1][1]


def history_count(rng: random.Random) -> int:
    return _count(rng, HISTORY_COUNTS)


def comment_count(rng: random.Random) -> int:
    return _count(rng, COMMENT_COUNTS)


def enrich(issue: StoredIssue, rng: random.Random, histories: int, first_id: int) -> int:
    """Give ``issue`` a rich description and ``histories`` histories: a few status
    transitions (the last at ``updated``) among changes of other fields, some with several
    items, numbered in time order. Returns the next free history id."""
    issue.rich_description = DESCRIPTIONS[int(rng.random() * len(DESCRIPTIONS))]
    issue.description = adf_plain(issue.rich_description.adf)
    if histories <= 0:
        return first_id
    transitions = 1 + int(rng.random() * min(histories, 6))
    walk(issue, rng, transitions, 0)
    span = (issue.updated - issue.created).total_seconds()
    for _ in range(histories - transitions):
        at = issue.created + timedelta(seconds=span * rng.random() * 0.999)
        items = tuple(
            EXTRA_ITEMS[int(rng.random() * len(EXTRA_ITEMS))]
            for _ in range(1 + int(rng.random() * 3))
        )
        author = _pick_user(rng)
        issue.histories.append(History(0, author, at, items))
    for history in issue.histories:
        status = history.items[0]
        if status[0] == "status" and rng.random() < 0.5:
            extra = _DONE_ITEM if status[4] in ("Resolved", "Closed") else EXTRA_ITEMS[0]
            history.items = (*history.items, extra)
    issue.histories.sort(key=_history_time)
    for n, history in enumerate(issue.histories):
        history.id = first_id + n
    return first_id + len(issue.histories)


def _history_time(history: History) -> datetime:
    return history.created


_USER_NAMES = tuple(USERS)


def _pick_user(rng: random.Random) -> str:
    return _USER_NAMES[int(rng.random() * len(_USER_NAMES))]


def add_comments(issue: StoredIssue, rng: random.Random, count: int, first_id: int) -> int:
    """``count`` pooled rich comments between created and updated, a few of them edited
    later, numbered in time order. Returns the next free comment id."""
    span = (issue.updated - issue.created).total_seconds()
    moments = sorted(rng.random() for _ in range(count))
    for n, share in enumerate(moments):
        at = issue.created + timedelta(seconds=span * share)
        edited = at
        if rng.random() < 0.1:
            edited += timedelta(seconds=(span * (1 - share)) * rng.random())
        body = COMMENT_BODIES[int(rng.random() * len(COMMENT_BODIES))]
        issue.comments.append(Comment(first_id + n, _pick_user(rng), body, at, edited))
    return first_id + count
