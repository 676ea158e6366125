"""The category catalog: request categories and the information each one requires."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DEFAULT_CATALOG = Path(__file__).with_name("categories.yaml")
FALLBACK_CATEGORY = "other"


class CatalogError(ValueError):
    """The catalog file is not valid; the message names the file and the entry."""


@dataclass(frozen=True)
class LocalizedText:
    ko: str
    en: str


@dataclass(frozen=True)
class RequiredField:
    id: str
    label: LocalizedText
    description: LocalizedText
    example: str


@dataclass(frozen=True)
class Category:
    id: str
    name: LocalizedText
    description: str
    hints: tuple[str, ...]
    required_fields: tuple[RequiredField, ...]


@dataclass(frozen=True)
class Catalog:
    categories: tuple[Category, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.categories)

    def get(self, category_id: str) -> Category:
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(f"unknown category {category_id!r}; known: {', '.join(self.ids)}")

    def classify(self, text: str) -> str:
        """The first category with a hint in `text`, else `other` (the SQL models' rule too)."""
        searchable = searchable_text(text)
        for category_id, pattern in rule_patterns(self):
            if re.search(pattern, searchable):
                return category_id
        return FALLBACK_CATEGORY


# Keep in step with the `searchable` expression in dbt_like_models/marts/fct_tickets.sql.
_NOT_WORD = re.compile(r"[^a-z0-9가-힣]+")
_LATIN_HANGUL = re.compile(r"([a-z0-9])([가-힣])")
_HANGUL_LATIN = re.compile(r"([가-힣])([a-z0-9])")


def searchable_text(text: str) -> str:
    """Lowercase words separated by single spaces, Latin and Hangul runs split, padded."""
    words = _NOT_WORD.sub(" ", text.lower())
    words = _HANGUL_LATIN.sub(r"\1 \2", _LATIN_HANGUL.sub(r"\1 \2", words))
    return f" {' '.join(words.split())} "


_REGEX_META = frozenset(".^$*+?()[]{}|\\")


def rule_patterns(catalog: Catalog) -> list[tuple[str, str]]:
    """(category id, pattern) in rule order: each pattern is an alternation of literal
    needles, read the same way by Python's `re` and DuckDB's RE2."""
    patterns = []
    for category in catalog.categories:
        needles = dict.fromkeys(hint_needle(h) for h in category.hints if hint_needle(h).strip())
        if needles:
            escaped = ("".join("\\" + c if c in _REGEX_META else c for c in n) for n in needles)
            patterns.append((category.id, "|".join(escaped)))
    return patterns


def hint_needle(hint: str) -> str:
    """What to look for in `searchable_text`: whole words for Latin hints, a substring for Korean."""
    words = searchable_text(hint).strip()
    return f" {words} " if words.isascii() else words


def _require(entry: dict[str, Any], key: str, where: str) -> Any:
    if key not in entry or entry[key] in (None, ""):
        raise CatalogError(f"{where}: missing {key!r}")
    return entry[key]


def _text(value: Any, where: str) -> LocalizedText:
    if not isinstance(value, dict) or not value.get("ko") or not value.get("en"):
        raise CatalogError(f"{where}: expected a mapping with 'ko' and 'en' texts")
    return LocalizedText(ko=str(value["ko"]), en=str(value["en"]))


def _description(value: Any, where: str) -> LocalizedText:
    """What to provide, in both languages; one plain text serves both (a user's catalog)."""
    if isinstance(value, str) and value.strip():
        return LocalizedText(ko=value, en=value)
    return _text(value, where)


def _field(entry: Any, where: str) -> RequiredField:
    if not isinstance(entry, dict):
        raise CatalogError(f"{where}: expected a mapping")
    return RequiredField(
        id=str(_require(entry, "id", where)),
        label=_text(_require(entry, "label", where), f"{where}.label"),
        description=_description(_require(entry, "description", where), f"{where}.description"),
        example=str(_require(entry, "example", where)),
    )


def _category(entry: Any, where: str) -> Category:
    if not isinstance(entry, dict):
        raise CatalogError(f"{where}: expected a mapping")
    category_id = str(_require(entry, "id", where))
    where = f"{where} ({category_id})"
    fields = tuple(
        _field(f, f"{where}.required_fields[{i}]")
        for i, f in enumerate(entry.get("required_fields") or [])
    )
    field_ids = [f.id for f in fields]
    if len(set(field_ids)) != len(field_ids):
        raise CatalogError(f"{where}: duplicate required field ids {field_ids}")
    return Category(
        id=category_id,
        name=_text(_require(entry, "name", where), f"{where}.name"),
        description=str(_require(entry, "description", where)),
        hints=tuple(str(h).lower() for h in entry.get("hints") or []),
        required_fields=fields,
    )


def load_catalog(path: Path | None = None) -> Catalog:
    """Load and validate a catalog file; errors name the file and the offending entry."""
    path = path or DEFAULT_CATALOG
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"{path}: cannot read catalog: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("categories"), list):
        raise CatalogError(f"{path}: expected a top-level 'categories' list")
    categories = tuple(
        _category(entry, f"{path}: categories[{i}]")
        for i, entry in enumerate(document["categories"])
    )
    ids = [c.id for c in categories]
    if len(set(ids)) != len(ids):
        raise CatalogError(f"{path}: duplicate category ids {ids}")
    if FALLBACK_CATEGORY not in ids:
        raise CatalogError(f"{path}: the catalog must define the {FALLBACK_CATEGORY!r} category")
    return Catalog(categories=categories)


@cache
def default_catalog() -> Catalog:
    return load_catalog()
