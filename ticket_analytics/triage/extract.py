"""Deterministic extraction: for each required field, present (with evidence), missing or unsure.

Three readings of the ticket text, strongest first:
1. `key: value` lines, bullet lists and tables (wiki, markdown, ADF rendered by `adf_to_text`);
   a key for the field with a real value is present, with a placeholder ("TBD", "미정") missing.
2. The field's vocabulary (vendors, environments, versions, URLs, sizes, times...) anywhere.
3. A sentence that names the field and says it is not known yet ("스펙은 잘 모르겠어요") is
   missing; a word that only points at the field is unsure, for a resolver to settle.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from ticket_analytics.triage.vocab import NAME_PREFIXES, NEGATION, NOT_NAMES, RULES, FieldRule

Status = Literal["present", "missing", "unsure"]
_EVIDENCE_CHARS = 120
_CONTEXT_CHARS = 40


@dataclass(frozen=True)
class Verdict:
    field_id: str
    status: Status
    evidence: str = ""


@dataclass(frozen=True)
class Pair:
    key: str
    value: str
    line: str


_WIKI_NOISE = re.compile(r"^\s*h[1-6]\.\s*|\{(?:code|noformat|quote|panel)[^}]*\}", re.MULTILINE)
_WIKI_LINK = re.compile(r"\[([^|\]\n]+)\|([^\]\n]+)\]")
_BULLET = re.compile(r"^\s*(?:[-*•·>#]+|\d+[.)])\s*")
_KV = re.compile("^([^:=\uff1a\\n]{1,30}?)\\s*[:=\uff1a]\\s*(.*)$")  # ascii or full-width colon
_URL = re.compile(r"(?:https?://|git@)\S+")
_SENTENCE = re.compile(r"[^\n.!?。]+[.!?。]?")


def plain_text(text: str) -> str:
    """Wiki markup reduced to the words people wrote (tables keep their `|` cells)."""
    text = _WIKI_NOISE.sub("", text)
    text = _WIKI_LINK.sub(r"\1 \2", text)
    return re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"\1", text)


def key_values(text: str) -> list[Pair]:
    """`key: value` lines and table cells as pairs, in reading order."""
    pairs: list[Pair] = []
    rows: list[list[str]] = []
    for raw in plain_text(text).splitlines():
        line = raw.strip()
        cells = _cells(line)
        if cells is not None:
            rows.append(cells)
            continue
        pairs.extend(_table_pairs(rows))
        rows = []
        match = _KV.match(_BULLET.sub("", line))
        if match and "//" not in match.group(1) and not match.group(1).strip().isdigit():
            pairs.append(Pair(_norm_key(match.group(1)), match.group(2).strip(), line))
    pairs.extend(_table_pairs(rows))
    return pairs


def _cells(line: str) -> list[str] | None:
    if line.startswith("|"):
        return [c.strip() for c in line.strip("|").replace("||", "|").split("|")]
    if " | " in line:  # an ADF table row as adf_to_text renders it
        return [c.strip() for c in line.split(" | ")]
    return None


def _table_pairs(rows: list[list[str]]) -> list[Pair]:
    if not rows:
        return []
    width = len(rows[0])
    # A header row over value rows (||클라우드||환경||엔진||) when its cells read as keys.
    if width >= 3 and len(rows) >= 2 and sum(_known_key(c) for c in rows[0]) >= 2:
        return [
            Pair(_norm_key(k), v, f"{k}: {v}")
            for row in rows[1:]
            for k, v in zip(rows[0], row, strict=False)
        ]
    return [
        Pair(_norm_key(r[0]), " ".join(r[1:]).strip(), " | ".join(r)) for r in rows if len(r) >= 2
    ]


def _norm_key(key: str) -> str:
    key = re.sub(r"[^\w가-힣/ ]+", " ", key.lower()).replace("_", " ")
    return " ".join(key.split())


def _known_key(cell: str) -> bool:
    key = _norm_key(cell)
    return any(_key_matches(key, k) for rule in RULES.values() for k in rule.keys)


@lru_cache(maxsize=16_384)  # bounded: keys come from tickets, and a sensor runs for weeks
def _key_matches(key: str, synonym: str) -> bool:
    if synonym.isascii():
        return re.search(rf"(?<![a-z0-9]){re.escape(synonym)}(?![a-z0-9])", key) is not None
    return synonym in key


@cache
def _compiled(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None


_NEGATED = re.compile(NEGATION, re.IGNORECASE)
_NEGATED_VALUE = re.compile("^\\s*(?:[-?\u2014\u2013]+|x|none|no|없음)\\s*$", re.IGNORECASE)


def extract(text: str, field_ids: Iterable[str]) -> dict[str, Verdict]:
    """A verdict for each field id, read from `text` (summary and description)."""
    pairs = key_values(text)
    flat = plain_text(text)
    without_urls = _URL.sub(" ", flat)
    return {f: _verdict(f, RULES.get(f), pairs, flat, without_urls) for f in field_ids}


def _verdict(
    field_id: str, rule: FieldRule | None, pairs: Sequence[Pair], flat: str, no_urls: str
) -> Verdict:
    if rule is None:
        # A field added to the catalog without vocabulary: only a resolver can tell.
        return Verdict(field_id, "unsure")
    by_key = _from_pairs(field_id, rule, pairs)
    if by_key is not None:
        return by_key
    source = flat if field_id == "repository" else no_urls
    strong = _first_match(_compiled(rule.strong), source, field_id)
    if strong:
        return Verdict(field_id, "present", strong)
    topic = _compiled(rule.topic)
    if topic is not None:
        for sentence in _SENTENCE.findall(source):
            if topic.search(sentence) and _NEGATED.search(sentence):
                return Verdict(field_id, "missing", _clip(sentence))
    weak = _first_match(_compiled(rule.weak), source, field_id)
    if weak:
        return Verdict(field_id, "unsure", weak)
    return Verdict(field_id, "missing")


def _from_pairs(field_id: str, rule: FieldRule, pairs: Sequence[Pair]) -> Verdict | None:
    found: Verdict | None = None
    for pair in pairs:
        if not any(_key_matches(pair.key, k) for k in rule.keys):
            continue
        value = pair.value
        if not value.strip():
            # "Forwarded alert:" heads the lines below it; it says nothing by itself.
            continue
        if _NEGATED_VALUE.match(value) or _NEGATED.search(value):
            found = found or Verdict(field_id, "missing", _clip(pair.line))
            continue
        if rule.value and not re.search(rule.value, value, re.IGNORECASE):
            found = found if found and found.status != "missing" else None
            continue
        return Verdict(field_id, "present", _clip(pair.line))
    return found


def _first_match(pattern: re.Pattern[str] | None, text: str, field_id: str) -> str:
    if pattern is None:
        return ""
    for match in pattern.finditer(text):
        if _is_name_field(field_id) and not _plausible_name(match.group()):
            continue
        return _clip(_line_around(text, match.start(), match.end()))
    return ""


def _is_name_field(field_id: str) -> bool:
    return field_id in ("service_name", "target_name", "target_system")


def _plausible_name(token: str) -> bool:
    token = token.strip().lower()
    if token in NOT_NAMES:
        return False
    if "-" in token and " " not in token:
        return token not in NOT_NAMES and not NAME_PREFIXES.match(token)
    return True


def _line_around(text: str, start: int, end: int) -> str:
    """The match with some of its line around it: enough for a person to check the verdict."""
    left = max(text.rfind("\n", 0, start) + 1, start - _CONTEXT_CHARS)
    right = text.find("\n", end)
    right = min(right if right >= 0 else len(text), end + _CONTEXT_CHARS)
    return text[left:right]


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EVIDENCE_CHARS else text[: _EVIDENCE_CHARS - 1] + "…"
