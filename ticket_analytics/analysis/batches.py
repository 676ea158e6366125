"""Which map batch each of a month's tickets belongs to.

Batches are stable hash buckets, not slices of a sorted list. Cutting tickets ordered by
creation time into runs of 50 would shift every later batch when a backdated ticket lands or
one is deleted, and each shifted batch is a new prompt: a re-run would pay for the whole
month again. Here a ticket's bucket is a jump consistent hash (Lamping & Veach, 2014) of its
issue id (not its key: a key changes when the issue moves project) into `n` buckets, so

- an unchanged month gives the same batches, prompts and cache hits on every re-run;
- a ticket added or removed changes only its own batch;
- when the month grows past a threshold and `n` becomes `n + 1`, only ~1/(n+1) of the
  tickets move (into the new batch); the others keep their batch id.

`n` is the smallest count, from ceil(tickets / max size) up, at which every bucket fits the
size and token limits: a pure function of the month's tickets, so deterministic. Hash buckets
are uneven (a bucket of expected size 40 exceeds 50 about one time in twenty), hence the
search; if even `MAX_BATCHES` buckets overflow, the surplus of each over-full bucket (highest
hash first) spills into the emptiest bucket with room, still deterministically.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ticket_analytics.analysis.tickets import MonthTicket

# The Dagster batch dimension is static ("00".."19"): a month uses the first n of them and
# the rest complete as empty. 20 x 50 = 1000 tickets a month, twice the team's busiest.
MAX_BATCHES = 20
BATCH_KEYS: tuple[str, ...] = tuple(f"{i:02d}" for i in range(MAX_BATCHES))


class MonthTooLargeError(ValueError):
    """The month's tickets do not fit MAX_BATCHES batches of the configured size."""


@dataclass(frozen=True)
class BatchConfig:
    max_tickets: int = 50
    # Ticket-text tokens per batch; the system prompt and framing come on top (~400 tokens).
    max_prompt_tokens: int = 12_000

    def __post_init__(self) -> None:
        if self.max_tickets < 1 or self.max_prompt_tokens < 1:
            raise ValueError("batch limits must be positive")


DEFAULT_BATCHES = BatchConfig()


def batch_key(index: int) -> str:
    return BATCH_KEYS[index]


def _hash64(issue_id: str) -> int:
    return int.from_bytes(hashlib.sha256(issue_id.encode("utf-8")).digest()[:8], "big")


def jump_hash(key: int, buckets: int) -> int:
    """Lamping & Veach's jump consistent hash: growing `buckets` by one moves 1/buckets of keys."""
    b, j = -1, 0
    while j < buckets:
        b = j
        key = (key * 2862933555777941757 + 1) % 2**64
        j = int((b + 1) * (float(1 << 31) / float((key >> 33) + 1)))
    return b


def assign_batches(
    tickets: Sequence[MonthTicket],
    cost: Callable[[MonthTicket], int],
    config: BatchConfig = DEFAULT_BATCHES,
) -> dict[str, list[MonthTicket]]:
    """Every batch key of the month -> its tickets (ordered by issue id); unused keys map to []."""
    too_big = [t.issue_key for t in tickets if cost(t) > config.max_prompt_tokens]
    if too_big:
        raise MonthTooLargeError(f"tickets over the batch token budget on their own: {too_big}")
    if len(tickets) > MAX_BATCHES * config.max_tickets:
        raise MonthTooLargeError(
            f"{len(tickets)} tickets exceed {MAX_BATCHES} batches of {config.max_tickets}"
        )
    hashes = {t.issue_id: _hash64(t.issue_id) for t in tickets}
    costs = {t.issue_id: cost(t) for t in tickets}
    tokens = sum(costs.values())
    start = max(
        1,
        math.ceil(len(tickets) / config.max_tickets),
        math.ceil(tokens / config.max_prompt_tokens),
    )
    buckets: list[list[MonthTicket]] = []
    for n in range(min(start, MAX_BATCHES), MAX_BATCHES + 1):
        buckets = [[] for _ in range(n)]
        for ticket in tickets:
            buckets[jump_hash(hashes[ticket.issue_id], n)].append(ticket)
        if all(_fits(b, costs, config) for b in buckets):
            break
    else:
        buckets = _spill(buckets, hashes, costs, config)
    out: dict[str, list[MonthTicket]] = {key: [] for key in BATCH_KEYS}
    for index, bucket in enumerate(buckets):
        out[batch_key(index)] = sorted(bucket, key=lambda t: t.issue_id)
    return out


def _fits(bucket: list[MonthTicket], costs: dict[str, int], config: BatchConfig) -> bool:
    return (
        len(bucket) <= config.max_tickets
        and sum(costs[t.issue_id] for t in bucket) <= config.max_prompt_tokens
    )


def _spill(
    buckets: list[list[MonthTicket]],
    hashes: dict[str, int],
    costs: dict[str, int],
    config: BatchConfig,
) -> list[list[MonthTicket]]:
    surplus: list[MonthTicket] = []
    for bucket in buckets:
        bucket.sort(key=lambda t: hashes[t.issue_id])
        while not _fits(bucket, costs, config):
            surplus.append(bucket.pop())
    for ticket in sorted(surplus, key=lambda t: hashes[t.issue_id]):
        room = [i for i, b in enumerate(buckets) if _fits([*b, ticket], costs, config)]
        if not room:
            raise MonthTooLargeError(
                f"the month's tickets do not fit {MAX_BATCHES} batches under the token budget"
            )
        emptiest = min(room, key=lambda i: (sum(costs[t.issue_id] for t in buckets[i]), i))
        buckets[emptiest].append(ticket)
    return buckets
