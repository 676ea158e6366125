"""A small JQL subset for the fake Jira: enough for what sync clients send, strict otherwise.

Supported: ``field op value`` with ``= != > >= < <= ~ !~``, ``IN (...)``, ``NOT IN (...)``,
``IS [NOT] EMPTY``, ``AND``/``OR``/``NOT``, parentheses, and ``ORDER BY f [ASC|DESC], ...``.
As in Jira, ``labels != X`` and ``labels NOT IN (...)`` never match an issue without labels
(hence ``labels is EMPTY OR labels not in (...)`` in triage's query).
Fields: project, key/issuekey, id, created, updated, status, priority, issuetype/type,
labels, assignee, reporter, summary/text (``~`` only). Date literals follow Jira: quoted
``yyyy/MM/dd HH:mm``, ``yyyy-MM-dd HH:mm``, ``yyyy/MM/dd``, ``yyyy-MM-dd`` read in the
searching user's zone, relative ``-5d``/``-2h``/``-15m``/``-1w``, or bare epoch milliseconds.
Anything else raises ``JqlError`` with a Jira-like message (the server turns it into a 400).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

Predicate = Callable[[Any], bool]

_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\')|(?P<op>!=|>=|<=|!~|=|>|<|~)'
    r'|(?P<punct>[(),])|(?P<word>[^\s"\'(),=!<>~]+))'
)
_DATE_FORMATS = ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d")
_RELATIVE = re.compile(r"([-+]?)(\d+)([wdhm])")
_UNITS = {
    "w": timedelta(weeks=1),
    "d": timedelta(days=1),
    "h": timedelta(hours=1),
    "m": timedelta(minutes=1),
}
_DATE_FIELDS = ("created", "updated")
_TEXT_FIELDS = {"status", "priority", "issuetype", "assignee", "reporter"}
_ALIASES = {"issuekey": "key", "type": "issuetype", "text": "summary"}
_SORTABLE = {"updated", "created", "key", "id", "project", "priority", "status", "summary"}
PRIORITY_RANK = {"Highest": 1, "High": 2, "Medium": 3, "Low": 4, "Lowest": 5}


class JqlError(ValueError):
    """Invalid or unsupported JQL; the message mimics Jira's errorMessages text."""


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def _tokenize(text: str) -> list[_Tok]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise JqlError(f"Error in the JQL Query: unexpected character at position {pos}.")
        kind = match.lastgroup or ""
        raw = match.group(kind)
        if kind == "str":
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        tokens.append(_Tok(kind, raw))
        pos = match.end()
    return tokens


def key_sort(key: str) -> tuple[str, int]:
    project, _, number = key.upper().rpartition("-")
    return (project, int(number)) if number.isdigit() else (key.upper(), -1)


def parse_date(raw: str, quoted: bool, zone: ZoneInfo, now: datetime, field: str) -> datetime:
    if not quoted and raw.lstrip("-").isdigit():
        return datetime.fromtimestamp(int(raw) / 1000, UTC)
    relative = _RELATIVE.fullmatch(raw.strip())
    if relative:
        sign = -1 if relative.group(1) == "-" else 1
        return now + sign * int(relative.group(2)) * _UNITS[relative.group(3)]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).replace(tzinfo=zone).astimezone(UTC)
        except ValueError:
            continue
    raise JqlError(
        f"Date value '{raw}' for field '{field}' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period "
        "format e.g. '-5d', '4w 2d'."
    )


@dataclass(frozen=True)
class Query:
    where: Predicate | None
    order: tuple[tuple[str, bool], ...]  # (field, descending)
    # "-7d" was read against the clock at parse time: the query goes stale as time passes.
    relative: bool = False

    @property
    def bounded(self) -> bool:
        return self.where is not None

    def matches(self, issue: Any) -> bool:
        return self.where is None or self.where(issue)

    def sort(self, issues: list[Any]) -> list[Any]:
        order = self.order or (("key", True),)
        # Stable sorts from the last key to the first give mixed ASC/DESC multi-key order.
        result = list(issues)
        for field, descending in reversed(order):
            result.sort(key=_sort_key(field), reverse=descending)
        return result


def _sort_key(field: str) -> Callable[[Any], Any]:
    if field == "key":
        return lambda issue: (issue.project, issue.number)
    if field == "priority":
        return lambda issue: PRIORITY_RANK.get(issue.priority, 99)
    return lambda issue: getattr(issue, field)


class _Parser:
    def __init__(self, text: str, zone: ZoneInfo, now: datetime) -> None:
        self.tokens = _tokenize(text)
        self.pos = 0
        self.zone = zone
        self.now = now
        self.relative = False

    def peek(self) -> _Tok | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise JqlError("Error in the JQL Query: The query ended unexpectedly.")
        self.pos += 1
        return tok

    def expect_word(self, word: str) -> None:
        tok = self.take()
        if tok.upper != word:
            raise JqlError(f"Error in the JQL Query: Expecting '{word}' but got '{tok.text}'.")

    def at_word(self, *words: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.upper in words

    def parse(self) -> Query:
        where = None if self.at_word("ORDER") or self.peek() is None else self.expr()
        order: list[tuple[str, bool]] = []
        if self.at_word("ORDER"):
            self.take()
            self.expect_word("BY")
            while True:
                raw = self.take().text.lower()
                name = _ALIASES.get(raw, raw)
                if name not in _SORTABLE:
                    raise JqlError(f"Not able to sort using field '{name}'.")
                descending = False
                if self.at_word("ASC", "DESC"):
                    descending = self.take().upper == "DESC"
                order.append((name, descending))
                if not (self.peek() and self.peek() == _Tok("punct", ",")):
                    break
                self.take()
        if self.peek() is not None:
            raise JqlError(f"Error in the JQL Query: unexpected '{self.take().text}'.")
        return Query(where, tuple(order), self.relative)

    def expr(self) -> Predicate:
        terms = [self.term()]
        while self.at_word("OR"):
            self.take()
            terms.append(self.term())
        return terms[0] if len(terms) == 1 else (lambda i: any(t(i) for t in terms))

    def term(self) -> Predicate:
        factors = [self.factor()]
        while self.at_word("AND"):
            self.take()
            factors.append(self.factor())
        return factors[0] if len(factors) == 1 else (lambda i: all(f(i) for f in factors))

    def factor(self) -> Predicate:
        if self.at_word("NOT"):
            self.take()
            inner = self.factor()
            return lambda i: not inner(i)
        if self.peek() == _Tok("punct", "("):
            self.take()
            inner = self.expr()
            if self.take() != _Tok("punct", ")"):
                raise JqlError("Error in the JQL Query: Expecting ')'.")
            return inner
        return self.clause()

    def values(self) -> list[_Tok]:
        if self.take() != _Tok("punct", "("):
            raise JqlError("Error in the JQL Query: Expecting '(' after IN.")
        items = [self.take()]
        while self.peek() == _Tok("punct", ","):
            self.take()
            items.append(self.take())
        if self.take() != _Tok("punct", ")"):
            raise JqlError("Error in the JQL Query: Expecting ')' to close the IN list.")
        return items

    def clause(self) -> Predicate:
        field_tok = self.take()
        field = _ALIASES.get(field_tok.text.lower(), field_tok.text.lower())
        if field_tok.kind not in ("word", "str") or field not in (
            {"project", "key", "id", "labels", "summary", *_DATE_FIELDS, *_TEXT_FIELDS}
        ):
            raise JqlError(
                f"Field '{field_tok.text}' does not exist or you do not have permission to view it."
            )
        if self.at_word("IS"):
            self.take()
            negate = self.at_word("NOT") and bool(self.take())
            self.expect_word("EMPTY")
            return lambda i: bool(getattr(i, field)) == negate
        if self.at_word("NOT", "IN"):
            negate = self.take().upper == "NOT"
            if negate:
                self.expect_word("IN")
            wanted = [self.value(field, tok) for tok in self.values()]
            return self.membership(field, wanted, negate)
        op = self.take()
        if op.kind != "op":
            raise JqlError(f"Error in the JQL Query: Expecting operator but got '{op.text}'.")
        value = self.value(field, self.take())
        if op.text in ("~", "!~"):
            if field != "summary":
                raise JqlError(f"The operator '{op.text}' is not supported by the '{field}' field.")
            needle = str(value).lower()
            return lambda i: (needle in i.summary.lower()) == (op.text == "~")
        if field == "summary":
            raise JqlError(f"The operator '{op.text}' is not supported by the 'summary' field.")
        if op.text in ("=", "!="):
            return self.membership(field, [value], op.text == "!=")
        if field in _TEXT_FIELDS or field in ("project", "labels"):
            raise JqlError(f"The operator '{op.text}' is not supported by the '{field}' field.")
        return _compare(op.text, _getter(field), value)

    def value(self, field: str, tok: _Tok) -> Any:
        if tok.kind not in ("word", "str"):
            raise JqlError(f"Error in the JQL Query: Expecting a value but got '{tok.text}'.")
        if field in _DATE_FIELDS:
            self.relative = self.relative or bool(_RELATIVE.fullmatch(tok.text.strip()))
            return parse_date(tok.text, tok.kind == "str", self.zone, self.now, field)
        if field == "key":
            return key_sort(tok.text)
        if field == "id":
            if not tok.text.isdigit():
                raise JqlError(f"The issue id '{tok.text}' is not valid.")
            return int(tok.text)
        return tok.text if field == "summary" else tok.text.lower()

    def membership(self, field: str, wanted: list[Any], negate: bool) -> Predicate:
        if field == "labels":
            labels = set(wanted)
            if negate:
                return lambda i: bool(i.labels) and not labels & {x.lower() for x in i.labels}
            return lambda i: bool(labels & {x.lower() for x in i.labels})
        get = _getter(field)
        values = set(wanted)
        return lambda i: (get(i) in values) != negate


def _getter(field: str) -> Callable[[Any], Any]:
    if field == "key":
        return lambda issue: (issue.project, issue.number)
    if field in _TEXT_FIELDS or field == "project":
        return lambda issue: (getattr(issue, field) or "").lower()
    return lambda issue: getattr(issue, field)


def _compare(op: str, get: Callable[[Any], Any], value: Any) -> Predicate:
    if op == ">=":
        return lambda i: get(i) >= value
    if op == ">":
        return lambda i: get(i) > value
    if op == "<=":
        return lambda i: get(i) <= value
    return lambda i: get(i) < value


def parse_jql(text: str, *, zone: ZoneInfo, now: datetime) -> Query:
    return _Parser(text or "", zone, now).parse()
