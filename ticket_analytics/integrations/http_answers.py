"""What a service's answer says when it is not the one asked for: how long the server wants
us to wait, and its error messages. Shared by the transport (`http`) and the LLM backends,
whose SDK has its own HTTP client.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import httpx
import orjson


def server_hint(response: httpx.Response, now: datetime) -> float | None:
    """Seconds the server asked us to wait, if it said so in a way we understand."""
    retry_after = response.headers.get("Retry-After", "").strip()
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            try:
                return max(0.0, (parsedate_to_datetime(retry_after) - now).total_seconds())
            except (TypeError, ValueError):
                pass
    reset = response.headers.get("X-RateLimit-Reset", "").strip()
    if reset:
        try:
            moment = datetime.fromisoformat(reset)
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return max(0.0, (moment - now).total_seconds())
    return None


def error_messages(payload: Any) -> list[str]:
    """The messages of the error shapes our services send (Jira, Confluence, Slack, OpenAI)."""
    if not isinstance(payload, dict):
        return []
    messages = [str(m) for m in payload.get("errorMessages") or []]
    errors = payload.get("errors")
    if isinstance(errors, dict):
        messages += [f"{field}: {message}" for field, message in errors.items()]
    elif isinstance(errors, list):
        messages += [
            str(e.get("title") or e.get("detail") or e) if isinstance(e, dict) else str(e)
            for e in errors
        ]
    error = payload.get("error")
    if isinstance(error, dict) and error.get("message"):
        messages.append(str(error["message"]))
    elif isinstance(error, str):
        messages.append(error)
    if isinstance(payload.get("message"), str):
        messages.append(payload["message"])
    return messages


class _Answer(Protocol):
    """A response of httpx or of the copy the OpenAI SDK bundles."""

    @property
    def status_code(self) -> int: ...
    @property
    def content(self) -> bytes: ...
    @property
    def reason_phrase(self) -> str: ...


def error_detail(response: _Answer, auth_hint: str) -> str:
    """What a refusal says, for an error message; 401/403 first name `auth_hint`."""
    try:
        payload = orjson.loads(response.content)
    except (orjson.JSONDecodeError, TypeError):
        payload = None
    messages = error_messages(payload)
    if response.status_code in (401, 403):
        messages.insert(0, f"authentication/permission refused ({auth_hint})")
    return "; ".join(messages) or response.reason_phrase or "no error message"
