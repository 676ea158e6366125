"""Turn Jira issue payloads (Cloud v3 or Data Center v2) into raw-table rows.

Only keys, timestamps and flattened text are extracted here; everything else stays in the
payload for the SQL models. A record that cannot be keyed or dated becomes a rejection with
the reason instead of an exception, so one bad issue never stops a load.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
import simdjson

from ticket_analytics.jira.adf import adf_to_text
from ticket_analytics.jira.nesting import deep_recursion
from ticket_analytics.jira.timestamps import parse_jira_timestamp

_COMMENT_ISSUE_ID = re.compile(r"/issue/(\d+)/comment/")
# Where the text columns are in an issue's and a comment's row tuple.
_DESCRIPTION_TEXT, _BODY_TEXT = 6, 4


class RecordError(ValueError):
    """A record that cannot be loaded; the message is stored as the rejection reason."""


# Records arrive as plain dicts and lists (from an HTTP response or orjson) or as simdjson's
# lazy views of a parsed export file. The views are read only where a value is needed, and a
# nested payload is copied out as simdjson's own minified JSON without becoming Python
# objects: parsing an export costs about a fifth less than through orjson and dicts.
_LAZY = (simdjson.Object, simdjson.Array)
_OBJECT = (dict, simdjson.Object)
_ARRAY = (list, simdjson.Array)


def is_object(value: Any) -> bool:
    return isinstance(value, _OBJECT)


def is_array(value: Any) -> bool:
    return isinstance(value, _ARRAY)


def type_name(value: Any) -> str:
    """The Python name of a JSON value's type, whichever form it came in."""
    if isinstance(value, simdjson.Object):
        return "dict"
    if isinstance(value, simdjson.Array):
        return "list"
    return type(value).__name__


def plain(value: Any) -> Any:
    """A JSON value as dicts and lists, whichever form it came in."""
    if isinstance(value, simdjson.Object):
        return value.as_dict()
    if isinstance(value, simdjson.Array):
        return value.as_list()
    return value


def _mini(value: simdjson.Object | simdjson.Array) -> bytes:
    # pysimdjson returns bytes though its stubs promise str
    text: bytes | str = value.mini
    return text if isinstance(text, bytes) else text.encode()


def _member_span(text: bytes, key: str, value: Any) -> tuple[int, int] | None:
    """Where the member `"key":value` is in `text` (an object's minified JSON), with a comma
    next to it: the span to leave out to drop the member.

    Minified JSON is canonical, so the member appears exactly as `"key":<value's text>`, and
    quotes inside strings are escaped, so no string can contain it. A nested object could
    hold the very same member, though; then the text is ambiguous and None is returned.
    """
    name = b'"' + key.encode() + b'":'
    value_text = b"null" if value is None else _mini(value)
    # The short name is found several times faster than the whole member. Only when its
    # first occurrence is not this member, or another follows (a nested member of the same
    # name, or a key ending in an escaped quote), is the whole member searched for.
    start = text.find(name)
    end = start + len(name) + len(value_text)
    if start < 0 or not text.startswith(value_text, start + len(name)) or text.find(name, end) >= 0:
        member = name + value_text
        start = text.find(member)
        if start < 0 or text.find(member, start + 1) >= 0:
            return None
        end = start + len(member)
    if text[end : end + 1] == b",":
        end += 1
    elif text[start - 1 : start] == b",":
        start -= 1
    return start, end


def _dumps(value: Any) -> bytes:
    # Payloads stay UTF-8 bytes: the loader turns a whole column into text in one vectorised
    # step, far cheaper than decoding each of a million strings here.
    if isinstance(value, _LAZY):
        return _mini(value)
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        # orjson refuses documents nested deeper than 254 levels; Jira text can be deeper.
        with deep_recursion():
            return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _issue_payload(issue: Any, fields: Any) -> bytes:
    """The issue without its changelog and comments, which land in their own tables."""
    comments = fields.get("comment")
    if (
        isinstance(issue, simdjson.Object)
        and isinstance(fields, simdjson.Object)
        and (comments is None or isinstance(comments, _LAZY))
    ):
        # Rebuilt from simdjson's text of each member, with the comments cut out of the
        # fields' text: building the whole issue as Python objects only to serialise it
        # again costs several times more, and so does minifying the changelog with the rest.
        text = _mini(fields)
        cut = _member_span(text, "comment", comments) if "comment" in fields else (0, 0)
        if cut is not None:
            # one copy of the fields' text, around the comments, straight into the payload
            whole = memoryview(text)
            parts: list[bytes | memoryview] = [b"{"]
            for key in issue:
                if key == "changelog":
                    continue
                if len(parts) > 1:
                    parts.append(b",")
                parts += (orjson.dumps(key), b":")
                if key == "fields":
                    parts += [whole[: cut[0]], whole[cut[1] :]]
                else:
                    parts.append(_dumps(issue[key]))
            parts.append(b"}")
            return b"".join(parts)
    issue, fields = plain(issue), plain(fields)
    payload = {k: v for k, v in issue.items() if k not in ("changelog", "fields")}
    payload["fields"] = {k: v for k, v in fields.items() if k != "comment"}
    return _dumps(payload)


def _timestamp(
    container: dict[str, Any], name: str, where: str, *, required: bool
) -> datetime | None:
    value = container.get(name)
    if value in (None, ""):
        if required:
            raise RecordError(f"{where}.{name}: missing")
        return None
    if not isinstance(value, str):
        raise RecordError(
            f"{where}.{name}: expected a timestamp string, got {type(value).__name__}"
        )
    try:
        return parse_jira_timestamp(value)
    except ValueError as exc:
        raise RecordError(f"{where}.{name}: {exc}") from exc


def _identifier(record: dict[str, Any], name: str) -> str:
    value = record.get(name)
    if value is None or value == "" or isinstance(value, (bool, *_OBJECT, *_ARRAY)):
        raise RecordError(f"missing {name}")
    return str(value)


@dataclass
class RawRows:
    """Rows for the raw tables as tuples, in the column order of the staged tables."""

    issues: list[tuple[Any, ...]] = field(default_factory=list)
    changelog: list[tuple[Any, ...]] = field(default_factory=list)
    comments: list[tuple[Any, ...]] = field(default_factory=list)
    rejected: list[tuple[Any, ...]] = field(default_factory=list)
    # A list here leaves the ADF bodies of parsed views unrendered: their JSON is collected
    # in it, the text columns hold "" meanwhile, and `fill_texts` puts the text in place (the
    # sync renders them in a helper process, see adf_worker).
    text_sources: list[bytes] | None = None
    _text_slots: list[tuple[list[tuple[Any, ...]], int, int]] = field(
        default_factory=list, init=False, repr=False
    )

    def __len__(self) -> int:
        return len(self.issues) + len(self.changelog) + len(self.comments) + len(self.rejected)

    def tables(self) -> tuple[list[tuple[Any, ...]], ...]:
        """The row lists in the order of the staged tables: issues, changelog, comments, rejected."""
        return self.issues, self.changelog, self.comments, self.rejected

    def fill_texts(self, texts: Sequence[str]) -> None:
        """Put the text rendered from each of `text_sources`, in order, into its row."""
        for (rows, index, column), text in zip(self._text_slots, texts, strict=True):
            row = rows[index]
            rows[index] = (*row[:column], text, *row[column + 1 :])
        self._text_slots.clear()

    def _text(self, body: Any, rows: list[tuple[Any, ...]], column: int) -> str:
        """The text of ADF `body`, for the row about to be appended to `rows` (or "" until
        `fill_texts`, when collecting `text_sources`)."""
        if self.text_sources is None or not isinstance(body, _LAZY):
            return adf_to_text(plain(body))
        self.text_sources.append(_mini(body))
        self._text_slots.append((rows, len(rows), column))
        return ""

    def reject(
        self, locator: str, reason: str, record: Any, issue_id: Any = None, issue_key: Any = None
    ) -> None:
        payload = record.encode() if isinstance(record, str) else _dumps(record)
        digest = hashlib.sha1(f"{locator}\0{reason}\0".encode() + payload).hexdigest()
        self.rejected.append(
            (
                digest,
                locator,
                None if issue_id is None else str(issue_id),
                None if issue_key is None else str(issue_key),
                reason,
                payload,
            )
        )

    def add_issue(
        self,
        issue: Any,
        locator: str,
        *,
        histories: list[Any] | None = None,
        comments: list[Any] | None = None,
    ) -> None:
        """Rows for `issue`; `histories` and `comments`, when given, are its full changelog
        and comment list, in place of the ones embedded (Jira embeds at most 20 of each)."""
        if not is_object(issue):
            self.reject(locator, f"expected a JSON object, got {type_name(issue)}", issue)
            return
        raw_id, raw_key = issue.get("id"), issue.get("key")
        try:
            issue_id = _identifier(issue, "id")
            issue_key = _identifier(issue, "key")
            fields = issue.get("fields")
            if not is_object(fields):
                raise RecordError("missing fields object")
            created = _timestamp(fields, "created", "fields", required=True)
            updated = _timestamp(fields, "updated", "fields", required=True)
            resolved = _timestamp(fields, "resolutiondate", "fields", required=False)
        except RecordError as exc:
            self.reject(locator, str(exc), issue, raw_id, raw_key)
            return

        project = fields.get("project")
        project_key = project.get("key") if is_object(project) else None
        if not isinstance(project_key, str):  # absent, or not a key at all
            project_key = issue_key.rsplit("-", 1)[0] if "-" in issue_key else None
        # Changelog and comments land in their own tables; the issue row keeps the rest as given.
        payload = _issue_payload(issue, fields)
        description = self._text(fields.get("description"), self.issues, _DESCRIPTION_TEXT)
        self.issues.append(
            (issue_id, issue_key, project_key, created, updated, resolved, description, payload)
        )

        if histories is None:
            changelog = issue.get("changelog")
            histories = changelog.get("histories") if is_object(changelog) else None
        for i, history in enumerate(histories or []):
            self.add_history(issue_id, issue_key, history, f"{locator}.changelog[{i}]")

        if comments is None:
            comment_page = fields.get("comment")
            comments = comment_page.get("comments") if is_object(comment_page) else None
        for i, comment in enumerate(comments or []):
            self.add_comment(issue_id, issue_key, comment, f"{locator}.comments[{i}]")

    def add_history(self, issue_id: str, issue_key: str | None, history: Any, locator: str) -> None:
        try:
            if not is_object(history):
                raise RecordError("expected a JSON object")
            history_id = _identifier(history, "id")
            created = _timestamp(history, "created", "history", required=True)
        except RecordError as exc:
            self.reject(locator, f"changelog history: {exc}", history, issue_id, issue_key)
            return
        self.changelog.append((issue_id, history_id, created, _dumps(history)))

    def add_comment(
        self, issue_id: str | None, issue_key: str | None, comment: Any, locator: str
    ) -> None:
        try:
            if not is_object(comment):
                raise RecordError("expected a JSON object")
            comment_id = _identifier(comment, "id")
            if issue_id is None:
                match = _COMMENT_ISSUE_ID.search(str(comment.get("self", "")))
                if not match:
                    raise RecordError("comment without an issue reference (no issue id in 'self')")
                issue_id = match[1]
            created = _timestamp(comment, "created", "comment", required=True)
            updated = _timestamp(comment, "updated", "comment", required=False) or created
        except RecordError as exc:
            self.reject(locator, f"comment: {exc}", comment, issue_id, issue_key)
            return
        body = self._text(comment.get("body"), self.comments, _BODY_TEXT)
        self.comments.append((issue_id, comment_id, created, updated, body, _dumps(comment)))
