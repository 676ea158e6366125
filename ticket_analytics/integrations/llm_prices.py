"""The price table (``llm_prices.yaml``): what a call cost, and what one would cost."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DEFAULT_PRICES = Path(__file__).with_name("llm_prices.yaml")
_PER = 1_000_000


@dataclass(frozen=True)
class Price:
    """USD per 1M tokens."""

    input: float
    cached_input: float
    output: float

    def __post_init__(self) -> None:
        if min(self.input, self.cached_input, self.output) < 0:
            raise ValueError("prices cannot be negative")


@dataclass(frozen=True)
class PriceTable:
    models: Mapping[str, Price]
    fallback: Price

    def price(self, model: str) -> Price:
        matches = [name for name in self.models if model.startswith(name)]
        return self.models[max(matches, key=len)] if matches else self.fallback

    def is_listed(self, model: str) -> bool:
        return any(model.startswith(name) for name in self.models)

    def cost(
        self, model: str, prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0
    ) -> float:
        """USD for a call; cached tokens are inside ``prompt_tokens``, billed at their rate."""
        price = self.price(model)
        cached = min(cached_tokens, prompt_tokens)
        return (
            (prompt_tokens - cached) * price.input
            + cached * price.cached_input
            + completion_tokens * price.output
        ) / _PER


def _price(entry: object, where: str) -> Price:
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: expected input / cached_input / output")
    try:
        return Price(
            input=float(entry["input"]),
            cached_input=float(entry.get("cached_input", entry["input"])),
            output=float(entry["output"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from None


@cache
def load_prices(path: Path = DEFAULT_PRICES) -> PriceTable:
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    models = document.get("models") or {}
    if not isinstance(models, Mapping) or "fallback" not in document:
        raise ValueError(f"{path}: needs a `models` mapping and a `fallback` price")
    return PriceTable(
        models={str(name): _price(entry, f"{path}: {name}") for name, entry in models.items()},
        fallback=_price(document["fallback"], f"{path}: fallback"),
    )
