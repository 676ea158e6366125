"""Holding the reduce model's prose to the facts.

- A ticket key must exist in the month: an unknown one is cut out of the text and out of the
  cited keys, and counted.
- A figure is shown only through a `{slot}` the renderer fills from SQL. A sentence in which
  the model typed a number itself (a digit that is not part of a word like S3, k8s, gpt-4o
  or of a cited key), or named a slot that does not exist, is removed whole: a sentence with
  its number cut out would still assert it, and asking the strong model again would cost a
  second reduce call for what is usually one clause. A section left empty falls back to the
  offline template prose, and the report names that as its author.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from ticket_analytics.analysis.schemas import KEY_PATTERN

_SLOT = re.compile(r"\{([A-Za-z0-9_]*)\}")
# A number standing on its own: not glued to a Latin letter or underscore (S3, k8s, 4o, p85).
_TYPED_NUMBER = re.compile(r"(?<![A-Za-z_0-9])\d+(?:[.,:]\d+)*(?![A-Za-z_0-9])")
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|\n+")
_ORPHANS = re.compile(r"\(\s*[,;]?\s*\)|\s+([,;.])|,\s*(?=[,)])")


@dataclass(frozen=True)
class Grounded:
    text: str
    cited_keys: tuple[str, ...]
    dropped_keys: tuple[str, ...]
    dropped_sentences: int


def ground(
    text: str, cited: Iterable[str], month_keys: Collection[str], slots: Collection[str]
) -> Grounded:
    dropped: list[str] = []
    kept_cited: list[str] = []
    for key in cited:
        target = kept_cited if key in month_keys else dropped
        if key not in target:
            target.append(key)

    def cut_unknown(match: re.Match[str]) -> str:
        if match[0] in month_keys:
            return match[0]
        if match[0] not in dropped:
            dropped.append(match[0])
        return ""

    text = KEY_PATTERN.sub(cut_unknown, text)
    sentences, removed = [], 0
    for sentence in _SENTENCE_END.split(text):
        sentence = " ".join(_ORPHANS.sub(lambda m: m[1] or "", sentence).split())
        if not sentence:
            continue
        if is_ungrounded(sentence, slots):
            removed += 1
            continue
        sentences.append(sentence)
    return Grounded(" ".join(sentences), tuple(kept_cited), tuple(dropped), removed)


def is_ungrounded(sentence: str, slots: Collection[str]) -> bool:
    """The sentence types a number or names a slot that does not exist, or has stray braces."""
    names = _SLOT.findall(sentence)
    if any(name not in slots for name in names):
        return True
    rest = KEY_PATTERN.sub(" ", _SLOT.sub(" ", sentence))
    return "{" in rest or "}" in rest or bool(_TYPED_NUMBER.search(rest))
