"""The reduce: a month's marts and map aggregates -> one `MonthlyReport`.

Figures come from SQL (`facts.read_month_facts`); the reduce model only writes prose, which
is grounded (`grounding.ground`) before it reaches the report. The reduce refuses to run on a
month whose map batches are missing or stale: a report over part of the month would look
complete and be wrong.
"""

from __future__ import annotations

from dataclasses import replace

import duckdb

from ticket_analytics.analysis.batches import DEFAULT_BATCHES, BatchConfig
from ticket_analytics.analysis.facts import MonthFacts, read_month_facts
from ticket_analytics.analysis.grounding import Grounded, ground
from ticket_analytics.analysis.mapper import map_status
from ticket_analytics.analysis.offline import answer_reduce
from ticket_analytics.analysis.prompts import LANGUAGES, reduce_messages
from ticket_analytics.analysis.report import SECTIONS, MonthlyReport
from ticket_analytics.analysis.schemas import KEY_PATTERN, ReduceAnswer, SectionProse
from ticket_analytics.integrations.llm import LlmClient, LlmResult

TITLE = "Ops Monthly Report {month}"
OFFLINE_AUTHOR = "offline templates"
FALLBACK_AUTHOR = "offline templates (model prose failed grounding)"


class MonthIncompleteError(RuntimeError):
    """The month's map batches are not all done; the reduce would report part of a month."""


def build_report(
    conn: duckdb.DuckDBPyConnection,
    month: str,
    client: LlmClient,
    run_id: str,
    language: str,
    *,
    batch_config: BatchConfig = DEFAULT_BATCHES,
) -> MonthlyReport:
    """Read the month's facts, ask the reduce model for prose, ground it, assemble the report.

    `conn` stays open across the reduce call, so the client's ledger must not open the same
    file itself (use `Ledger.in_connection(conn)`); or call the three steps yourself and close
    the connection around the call: `prepare_reduce`, `ask_reduce`, `compose_report`.
    """
    facts = prepare_reduce(conn, month, language, batch_config=batch_config)
    return compose_report(
        month, language, facts, ask_reduce(client, month, language, facts, run_id)
    )


def prepare_reduce(
    conn: duckdb.DuckDBPyConnection,
    month: str,
    language: str,
    *,
    batch_config: BatchConfig = DEFAULT_BATCHES,
) -> MonthFacts:
    """The month's facts, or `MonthIncompleteError` when a ticket of the month has no
    insight or a gone ticket still has one.

    Tickets edited since their batch ran keep their insight: last month's tickets are still
    worked on (status, labels, replies), so a month that had to be mapped again after every
    sync would never be reported. `ticket-analytics report` maps edited batches again first.
    """
    if language not in LANGUAGES:
        raise ValueError(f"REPORT_LANGUAGE must be one of {sorted(LANGUAGES)}, got {language!r}")
    missing = map_status(conn, month, batch_config).missing
    if missing:
        raise MonthIncompleteError(
            f"cannot write the {month} report: map batch(es) {', '.join(missing)} of {month} "
            "lack tickets (never mapped, failed, or tickets added or removed since); "
            "materialise those partitions of the map asset first"
        )
    return read_month_facts(conn, month, language)


def ask_reduce(
    client: LlmClient, month: str, language: str, facts: MonthFacts, run_id: str
) -> LlmResult[ReduceAnswer]:
    messages = reduce_messages(month, language, facts.prompt_facts)
    return client.complete("reduce", messages, ReduceAnswer, partition=month, run_id=run_id)


def author_of(result: LlmResult[ReduceAnswer]) -> str:
    return OFFLINE_AUTHOR if result.backend == "offline" else f"{result.backend}/{result.model}"


class _Grounder:
    """Grounds sections one by one, collecting dropped keys and who wrote what."""

    def __init__(self, facts: MonthFacts, author: str) -> None:
        self._keys = facts.month_keys
        self._slots = frozenset(f.key for f in facts.figures)
        self.author = author
        self.dropped: list[str] = []

    def __call__(self, said: SectionProse, spare: SectionProse) -> tuple[str, str]:
        """(grounded text with its cited keys, author): the model's, else the template's."""
        grounded = ground(said.text, said.cited_keys, self._keys, self._slots)
        self.dropped.extend(k for k in grounded.dropped_keys if k not in self.dropped)
        author = self.author
        if not grounded.text:
            grounded = ground(spare.text, spare.cited_keys, self._keys, self._slots)
            author = FALLBACK_AUTHOR
        return _with_citations(grounded), author


def _with_citations(grounded: Grounded) -> str:
    # MonthlyReport has no per-section citation list: keys the text does not name yet are
    # appended, so every cited ticket is on the page.
    named = set(KEY_PATTERN.findall(grounded.text))  # whole keys: OPS-12 does not name OPS-1
    extra = [k for k in grounded.cited_keys if k not in named]
    return f"{grounded.text} ({', '.join(extra)})" if extra and grounded.text else grounded.text


def compose_report(
    month: str, language: str, facts: MonthFacts, result: LlmResult[ReduceAnswer]
) -> MonthlyReport:
    answer = result.parsed
    # The offline answer is deterministic and free: the fallback for any prose the model's
    # answer loses to grounding.
    fallback = answer_reduce(reduce_messages(month, language, facts.prompt_facts))
    grounder = _Grounder(facts, author_of(result))
    prose: dict[str, str] = {}
    authors: dict[str, str] = {}
    for section in SECTIONS:
        prose[section], authors[section] = grounder(
            getattr(answer, section), getattr(fallback, section)
        )
    said = {r.index: r for r in answer.toil_recommendations}
    spare = {r.index: r for r in fallback.toil_recommendations}
    toil = []
    for index, item in enumerate(facts.toil, start=1):
        mine = said.get(index)
        text, author = grounder(
            SectionProse(text=mine.recommendation, cited_keys=mine.cited_keys)
            if mine
            else SectionProse(text="", cited_keys=[]),
            SectionProse(text=spare[index].recommendation, cited_keys=spare[index].cited_keys),
        )
        if author != authors["toil"]:
            authors["toil"] = f"{authors['toil']}; some recommendations: {author}"
        toil.append(replace(item, recommendation=text))
    return MonthlyReport(
        month=month,
        language=language,
        title=TITLE.format(month=month),
        figures=facts.figures,
        categories=facts.categories,
        toil=tuple(toil),
        incidents=facts.incidents,
        documentation_gaps=facts.documentation_gaps,
        changes=facts.changes,
        prose=prose,
        authors=authors,
        dropped_keys=tuple(grounder.dropped),
    )
