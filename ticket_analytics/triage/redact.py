"""Remove personal data and secrets from ticket text before it goes to any LLM.

Placeholders keep the shape of the sentence ("password=[REDACTED_SECRET]"), so a resolver
still sees that something was given there. Over-redaction is the accepted failure: a 40-digit
commit hash becomes a placeholder too, which costs a resolver nothing it needs.
"""

from __future__ import annotations

import re

_SECRET = "[REDACTED_SECRET]"
_EMAIL = "[REDACTED_EMAIL]"
_PHONE = "[REDACTED_PHONE]"

# Order matters: whole structures (keys, JWTs, key=value pairs) go before the generic
# long-string rule, so their placeholders say what they were and keep the key visible.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)"
        ),
        _SECRET,
    ),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}"), _SECRET),
    (re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b"), _SECRET),
    (re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"), _SECRET),
    (re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"), _SECRET),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), _SECRET),
    (re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"), _SECRET),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/-]{16,}=*"), r"\1 " + _SECRET),
    (
        re.compile(
            r"(?i)((?:password|passwd|pwd|pass|secret|client[_-]?secret|token|api[_-]?key|"
            r"access[_-]?key|secret[_-]?key|private[_-]?key|비밀번호|패스워드|비번|토큰|시크릿)"
            r"[\"']?\s*(?:[:=]|는|은|:=|=>)\s*)([\"']?)[^\s\"',;]+\2"
        ),
        r"\1" + _SECRET,
    ),
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@"), r"\1" + _SECRET + "@"),
    # git@host:org/repo is an address, not a person: keep it for repository evidence.
    (
        re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b(?!:[\w.-]+/)"),
        _EMAIL,
    ),
    (re.compile(r"(?<![\d-])01[016789][ .-]?\d{3,4}[ .-]?\d{4}(?![\d-])"), _PHONE),
    (re.compile(r"(?<![\d-])0(?:2|[3-6][1-5]|70)-\d{3,4}-\d{4}(?![\d-])"), _PHONE),
    (re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?!\d)"), _PHONE),
    (re.compile(r"\b[0-9a-fA-F]{32,}\b"), _SECRET),
)
# Long random-looking strings (32+ characters, no spaces): many digits, or mixed case with a
# digit or base64's `/`/`+`. Kebab-case names and CONSTANT_NAMES have neither and stay.
_LONG_TOKEN = re.compile(r"(?<![\w/.-])[A-Za-z0-9+/_=-]{32,}(?![\w/.-])")


def redact(text: str) -> str:
    """`text` with emails, phone numbers, keys, tokens and passwords replaced by placeholders."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return _LONG_TOKEN.sub(_long_token, text)


def _long_token(match: re.Match[str]) -> str:
    token = match.group()
    digits = sum(c.isdigit() for c in token)
    letters = sum(c.isalpha() for c in token)
    mixed_case = any(c.isupper() for c in token) and any(c.islower() for c in token)
    if letters >= 8 and (digits >= 8 or (mixed_case and (digits or "/" in token or "+" in token))):
        return _SECRET
    return token
