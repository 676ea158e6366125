"""Slack client: an incoming webhook, or the Web API's ``chat.postMessage`` with a bot token.

Transport and retry policy are the shared ones. Two Slack habits shape the code: a webhook
URL is itself the credential (so errors and logs name it ``webhook``, never the URL), and the
Web API answers HTTP 200 with ``{"ok": false, "error": …}`` for its own errors. Posting is
not idempotent: only a 429 (or a connection that never opened) is retried, so one
publication is one message.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from ticket_analytics.integrations.http import (
    BearerAuth,
    HttpTransport,
    RetryPolicy,
    ServiceError,
    TransportClient,
    mask,
)

__all__ = ["SlackClient", "SlackError", "SlackPost", "SlackSettings"]

WEBHOOK_LABEL = "webhook"
DEFAULT_API_URL = "https://slack.com/api"
_DETAIL_MAX = 300


class SlackError(ServiceError):
    """A Slack call that failed for good; never shows the token or the webhook URL."""

    def __init__(self, method: str, path: str, status: int | None, detail: str) -> None:
        super().__init__("Slack", method, path, status, detail)


@dataclass(frozen=True)
class SlackSettings:
    webhook_url: str = ""
    bot_token: str = ""
    channel: str = ""
    api_url: str = DEFAULT_API_URL
    timeout_s: float = 30.0
    max_retries: int = 4
    retry_after_max_s: float = 120.0

    def __post_init__(self) -> None:
        if self.webhook_url:
            parts = urlsplit(self.webhook_url)
            # Checked without echoing the URL: it is the secret.
            if parts.scheme not in ("http", "https") or not parts.hostname or not parts.path:
                raise ValueError("SLACK_WEBHOOK_URL must be an absolute http(s) URL")
        elif not (self.bot_token and self.channel):
            raise ValueError("Slack needs SLACK_WEBHOOK_URL, or SLACK_BOT_TOKEN and SLACK_CHANNEL")
        _ = self.policy

    @property
    def mode(self) -> str:
        return "webhook" if self.webhook_url else "web_api"

    @property
    def policy(self) -> RetryPolicy:
        return RetryPolicy.of(self)

    def __repr__(self) -> str:
        return (
            f"SlackSettings(webhook_url={mask(self.webhook_url)}, bot_token={mask(self.bot_token)}, "
            f"channel={self.channel!r}, api_url={self.api_url!r})"
        )

    __str__ = __repr__


@dataclass(frozen=True)
class SlackPost:
    via: str  # 'webhook' or 'web_api'
    channel: str | None = None  # the Web API tells us; a webhook does not
    ts: str | None = None


class _RedactSecrets(logging.Filter):
    """httpx logs every request URL at INFO; a webhook URL must not reach anyone's logs."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secret: str) -> None:
        with self._lock:
            self._secrets.add(secret)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        if isinstance(record.args, tuple):
            record.args = tuple(self._scrub_arg(arg) for arg in record.args)
        if any(secret in str(record.msg) for secret in self._secrets):
            record.msg = self._scrub(str(record.msg))
        return True

    def _scrub_arg(self, arg: object) -> object:
        # Only arguments that carry a secret become strings; others keep their type for %d.
        if isinstance(arg, int | float) or not any(secret in str(arg) for secret in self._secrets):
            return arg
        return self._scrub(str(arg))

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, f"/<{WEBHOOK_LABEL}>")
        return text


_REDACT = _RedactSecrets()
logging.getLogger("httpx").addFilter(_REDACT)


def _text_detail(response: httpx.Response) -> str:
    return response.text.strip()[:_DETAIL_MAX] or response.reason_phrase or "no error message"


class SlackClient(TransportClient):
    """Posts Block Kit messages through whichever of the two routes the settings configure."""

    def __init__(
        self,
        settings: SlackSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._settings = settings
        if settings.webhook_url:
            parts = urlsplit(settings.webhook_url)
            base = f"{parts.scheme}://{parts.netloc}"
            self._path = parts.path + (f"?{parts.query}" if parts.query else "")
            _REDACT.add(parts.path)
            auth: httpx.Auth | None = None
        else:
            base, self._path = settings.api_url, "/chat.postMessage"
            auth = BearerAuth(settings.bot_token)
        self._http = HttpTransport(
            "Slack",
            base,
            policy=settings.policy,
            auth=auth,
            auth_hint="check SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL",
            error=SlackError,
            transport=transport,
            sleep=sleep,
        )

    def __repr__(self) -> str:
        return f"SlackClient(mode={self._settings.mode!r})"

    def post(self, message: Mapping[str, Any]) -> SlackPost:
        """Post one message (``text`` fallback + ``blocks``); raises ``SlackError`` on refusal."""
        if self._settings.webhook_url:
            return self._post_webhook(message)
        return self._post_web_api(message)

    def _post_webhook(self, message: Mapping[str, Any]) -> SlackPost:
        response = self._http.request(
            "POST",
            self._path,
            body=dict(message),
            idempotent=False,
            label=WEBHOOK_LABEL,
            # Webhook errors are plain text ("invalid_blocks"), which the shared layer
            # cannot read; a 429 stays with the shared layer, which waits and retries.
            accept=lambda r: r.status_code != 429 and 400 <= r.status_code < 500,
        )
        if not response.is_success:
            raise SlackError("POST", WEBHOOK_LABEL, response.status_code, _text_detail(response))
        return SlackPost(via="webhook")

    def _post_web_api(self, message: Mapping[str, Any]) -> SlackPost:
        body = {"channel": self._settings.channel, **message}
        response = self._http.request(
            "POST",
            self._path,
            body=body,
            idempotent=False,
            # Without the charset Slack answers with a `missing_charset` warning.
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            payload = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise SlackError(
                "POST", self._path, response.status_code, "response is not JSON"
            ) from None
        if not isinstance(payload, dict) or not payload.get("ok"):
            error = str(payload.get("error") if isinstance(payload, dict) else "") or "unknown"
            problems = payload.get("errors") if isinstance(payload, dict) else None
            detail = error + (f": {'; '.join(map(str, problems))}" if problems else "")
            raise SlackError("POST", self._path, response.status_code, detail[:_DETAIL_MAX])
        return SlackPost(
            via="web_api",
            channel=str(payload.get("channel") or self._settings.channel),
            ts=str(payload["ts"]) if payload.get("ts") else None,
        )
