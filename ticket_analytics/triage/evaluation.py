"""How well triage does on labelled tickets: category accuracy and, per expected category,
precision / recall / F1 of the missing-field verdicts (missing is the positive class: it is
what the bot asks for), with micro totals over all tickets.

A ticket filed under the wrong category counts every field the bot would ask as a false
positive and every field it should have asked as a false negative: the comment is wrong whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from ticket_analytics.catalog import Catalog, default_catalog
from ticket_analytics.triage.analyzer import UNSURE_DEFAULT, Analysis, FieldResolver, analyze
from ticket_analytics.triage.tickets import Ticket, tickets_from_search


@dataclass(frozen=True)
class Expected:
    key: str
    category: str
    missing: frozenset[str]


@dataclass(frozen=True)
class Scores:
    name: str
    tickets: int
    correct_category: int
    tp: int
    fp: int
    fn: int

    @property
    def accuracy(self) -> float:
        return self.correct_category / self.tickets if self.tickets else 1.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Mistake:
    key: str
    expected_category: str
    got_category: str
    false_missing: tuple[str, ...]  # the bot would ask for these, but they were given
    false_present: tuple[str, ...]  # the bot would not ask for these, but they are missing


@dataclass(frozen=True)
class Report:
    per_category: tuple[Scores, ...]
    micro: Scores
    mistakes: tuple[Mistake, ...]


def load_eval_set(directory: Path) -> tuple[list[Ticket], dict[str, Expected]]:
    """Every `*.json` search page in `directory` and the labels in its `labels.yaml`."""
    tickets: list[Ticket] = []
    for page in sorted(directory.glob("*.json")):
        tickets.extend(tickets_from_search(json.loads(page.read_text(encoding="utf-8"))))
    document = yaml.safe_load((directory / "labels.yaml").read_text(encoding="utf-8"))
    labels = {
        str(row["key"]): Expected(
            str(row["key"]), str(row["category"]), frozenset(row.get("missing") or ())
        )
        for row in document["tickets"]
    }
    return tickets, labels


def evaluate(
    tickets: Sequence[Ticket],
    labels: Mapping[str, Expected],
    catalog: Catalog | None = None,
    resolver: FieldResolver | None = None,
    unsure_default: Literal["present", "missing"] = UNSURE_DEFAULT,
) -> Report:
    catalog = catalog or default_catalog()
    unlabelled = sorted(t.key for t in tickets if t.key not in labels)
    if unlabelled:
        raise ValueError(f"tickets without labels: {unlabelled}")
    results = [(labels[t.key], analyze(t, catalog, resolver, unsure_default)) for t in tickets]
    per_category = tuple(
        _scores(c, [(e, a) for e, a in results if e.category == c]) for c in catalog.ids
    )
    mistakes = tuple(m for e, a in results if (m := _mistake(e, a)) is not None)
    return Report(per_category, _scores("micro", results), mistakes)


def _scores(name: str, results: Iterable[tuple[Expected, Analysis]]) -> Scores:
    tickets = correct = tp = fp = fn = 0
    for expected, analysis in results:
        tickets += 1
        got = set(analysis.missing)
        if analysis.category == expected.category:
            correct += 1
            tp += len(got & expected.missing)
            fp += len(got - expected.missing)
            fn += len(expected.missing - got)
        else:
            fp += len(got)
            fn += len(expected.missing)
    return Scores(name, tickets, correct, tp, fp, fn)


def _mistake(expected: Expected, analysis: Analysis) -> Mistake | None:
    got = set(analysis.missing)
    if analysis.category != expected.category:
        return Mistake(expected.key, expected.category, analysis.category, (), ())
    if got == expected.missing:
        return None
    return Mistake(
        expected.key,
        expected.category,
        analysis.category,
        tuple(sorted(got - expected.missing)),
        tuple(sorted(expected.missing - got)),
    )


def format_report(report: Report) -> str:
    header = ("category", "tickets", "accuracy", "precision", "recall", "f1", "tp", "fp", "fn")
    rows = [
        (
            s.name,
            str(s.tickets),
            f"{s.accuracy:.3f}",
            f"{s.precision:.3f}",
            f"{s.recall:.3f}",
            f"{s.f1:.3f}",
            str(s.tp),
            str(s.fp),
            str(s.fn),
        )
        for s in (*report.per_category, report.micro)
    ]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in (header, *rows)]
    for m in report.mistakes:
        if m.expected_category != m.got_category:
            lines.append(f"  {m.key}: category {m.got_category}, expected {m.expected_category}")
        else:
            lines.append(
                f"  {m.key} ({m.expected_category}): asked for given {list(m.false_missing)}, "
                f"did not ask for {list(m.false_present)}"
            )
    return "\n".join(lines)
