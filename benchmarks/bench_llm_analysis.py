"""Monthly LLM analysis: prompt size, cost, re-run calls and wall time for one month.

    python benchmarks/bench_llm_analysis.py [--issues 500]

One sample month of about `--issues` tickets (and the month before it, for "what changed")
is built into a fresh warehouse. The map and reduce then run against the fake OpenAI server
(tests/fakes/openai_server.py) through the real SDK backend, with 2 s of latency per call,
answering each request with the offline handlers' answer to it, so the run shape is real:
batches, ledger, cache, concurrency limits. Tokens are counted with cl100k_base (the fake's
`usage` is a rough len/4), and cost uses the LLM layer's price table (list prices).
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from _common import REPO, SAMPLE_SEED, Summary, header, parse_args, timed

sys.path.insert(0, str(REPO / "tests"))
from fakes.openai_server import FakeOpenAI, Reply
from jira_builders import load_and_build

from ticket_analytics.analysis.mapper import (
    TicketInsight,
    analyse_batch,
    plan_batches,
    save_insights,
)
from ticket_analytics.analysis.offline import offline_handlers
from ticket_analytics.analysis.prompts import map_messages, reduce_messages
from ticket_analytics.analysis.reducer import (
    ask_reduce,
    compose_report,
    prepare_reduce,
)
from ticket_analytics.analysis.tickets import MonthTicket
from ticket_analytics.integrations.llm import Ledger, LlmClient, LlmSettings
from ticket_analytics.integrations.llm_prices import load_prices
from ticket_analytics.integrations.llm_tokens import (
    count_message_tokens,
    count_tokens,
)
from ticket_analytics.samples.generator import write_sample
from ticket_analytics.warehouse.connection import connect

MONTH = "2025-12"
LATENCY_S = 2.0
HANDLERS = {schema.__name__: handler for schema, handler in offline_handlers().items()}


class AnsweringFake(FakeOpenAI):
    """Answers every request with what the offline handler would say to it."""

    def _completion(self, body: Any, reply: Reply, deployment: str) -> dict[str, Any]:
        handler = HANDLERS[body["response_format"]["json_schema"]["name"]]
        answer = handler(body["messages"]).model_dump_json()
        return super()._completion(body, replace(reply, content=answer), deployment)


def _client(fake: FakeOpenAI, ledger: Ledger, concurrency: int) -> LlmClient:
    settings = LlmSettings(
        **fake.settings_kwargs(),
        monthly_budget_usd=None,
        max_concurrency=concurrency,
        requests_per_minute=100_000.0,
        tokens_per_minute=100_000_000.0,
    )
    return LlmClient(settings, ledger)


def _map(
    client: LlmClient, plan: dict[str, list[MonthTicket]], concurrency: int
) -> dict[str, list[TicketInsight]]:
    run_id = str(uuid.uuid4())
    batches = {k: v for k, v in plan.items() if v}
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = {
            k: pool.submit(analyse_batch, client, v, MONTH, k, run_id) for k, v in batches.items()
        }
        return {k: f.result() for k, f in futures.items()}


def _month(path: Path, fake: FakeOpenAI, concurrency: int) -> tuple[float, int]:
    """Map every batch, store, reduce: (wall seconds, provider calls made)."""
    calls = fake.calls
    with timed() as watch:
        with connect(path, read_only=True) as conn:
            plan = plan_batches(conn, MONTH)
        insights = _map(_client(fake, Ledger.for_warehouse(path), concurrency), plan, concurrency)
        with connect(path) as conn:
            for batch, rows in insights.items():
                save_insights(conn, MONTH, batch, rows)
            facts = prepare_reduce(conn, MONTH, "en")
        result = ask_reduce(
            _client(fake, Ledger.for_warehouse(path), 1), MONTH, "en", facts, "bench"
        )
        compose_report(MONTH, "en", facts, result)
    return watch.seconds, fake.calls - calls


def main() -> None:
    args = parse_args(__doc__ or "", default_issues=500)
    header(f"LLM monthly analysis: one month of ~{args.issues} tickets")
    summary = Summary("llm_analysis")
    with tempfile.TemporaryDirectory(prefix="bench_llm_") as tmp:
        root = Path(tmp)
        sample = write_sample(
            root / "sample",
            months=2,
            seed=SAMPLE_SEED,
            until=date(2025, 12, 31),
            per_month=args.issues,
        )
        path = root / "w.duckdb"
        with connect(path) as conn:
            load_and_build(conn, sample.out_dir, months=("2025-11", MONTH))
            plan = plan_batches(conn, MONTH)
        tickets = [t for batch in plan.values() for t in batch]
        batches = {k: v for k, v in plan.items() if v}
        sizes = sorted(len(v) for v in batches.values())
        print(f"\n{len(tickets)} tickets in {MONTH}: {len(batches)} batches, sizes {sizes}")

        content = sum(count_tokens(f"{t.summary}\n{t.description}") for t in tickets)
        prompts = {k: map_messages(v, MONTH, k) for k, v in batches.items()}
        prompt = sum(count_message_tokens(m) for m in prompts.values())
        system = count_message_tokens(prompts[min(prompts)][:1])
        answers = {k: HANDLERS["MapAnswer"](m).model_dump_json() for k, m in prompts.items()}
        completion = sum(count_tokens(a) for a in answers.values())
        ratio = prompt / content
        print(
            f"content (summary + description) {content / len(tickets):.1f} tokens/ticket; "
            f"map prompt {prompt / len(tickets):.1f} tokens/ticket = {ratio:.2f}x "
            f"(system prompt {system} tokens per batch); answer {completion / len(tickets):.1f} "
            "tokens/ticket"
        )
        summary.add("map prompt tokens / ticket content tokens", f"{ratio:.2f}x", "<= 1.3x")
        # Block framing, header facts and the shared system prompt cost a near-fixed amount
        # per ticket; the sample's tickets are shorter than the ~110 tokens measured on real
        # ones (DESIGN.md), so the ratio at that length is shown beside the measured one.
        overhead = (prompt - content) / len(tickets)
        print(
            f"overhead {overhead:.1f} tokens/ticket; at 110 content tokens a ticket: "
            f"{(110 + overhead) / 110:.2f}x"
        )
        summary.add("map prompt overhead per ticket", f"{overhead:.1f} tokens")

        prices = load_prices()
        settings = LlmSettings()
        map_cost = prices.cost(settings.map_model, prompt, completion)
        with connect(path) as conn:
            for batch, rows in _map(_offline(conn), plan, 1).items():
                save_insights(conn, MONTH, batch, rows)
            facts = prepare_reduce(conn, MONTH, "en")
        reduce_prompt = reduce_messages(MONTH, "en", facts.prompt_facts)
        reduce_answer = HANDLERS["ReduceAnswer"](reduce_prompt).model_dump_json()
        reduce_in, reduce_out = count_message_tokens(reduce_prompt), count_tokens(reduce_answer)
        reduce_cost = prices.cost(settings.reduce_model, reduce_in, reduce_out)
        scale = 500 / len(tickets)
        print(
            f"cost at list prices: map {settings.map_model} ${map_cost:.4f} "
            f"({prompt:,} in + {completion:,} out), reduce {settings.reduce_model} "
            f"${reduce_cost:.4f} ({reduce_in:,} in + {reduce_out:,} out)"
        )
        month_cost = map_cost * scale + reduce_cost
        summary.add("cost of a 500-ticket month (list prices)", f"${month_cost:.4f}", "< $0.05")

        with AnsweringFake(latency_s=LATENCY_S) as fake:
            fake.script(*[Reply(content="{}")] * 10_000)
            for concurrency in (1, 8):
                fresh = root / f"c{concurrency}.duckdb"
                fresh.write_bytes(path.read_bytes())
                with connect(fresh) as conn:
                    conn.execute("delete from raw.llm_ticket_insights")
                seconds, calls = _month(fresh, fake, concurrency)
                print(
                    f"concurrency {concurrency}: {seconds:.1f} s, {calls} calls ({LATENCY_S:g} s each)"
                )
                summary.add(
                    f"month wall time, {LATENCY_S:g} s latency, concurrency {concurrency}",
                    f"{seconds:.1f} s",
                )
            seconds, calls = _month(fresh, fake, 8)
            print(f"unchanged re-run: {seconds:.1f} s, {calls} provider calls")
            summary.add("provider calls of an unchanged re-run", str(calls), "0")
    summary.finish(None, args.summary_json)


def _offline(conn: Any) -> LlmClient:
    return LlmClient(LlmSettings(), Ledger.in_connection(conn), offline_handlers=offline_handlers())


if __name__ == "__main__":
    main()
