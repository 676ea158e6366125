"""Pydantic models as OpenAI strict JSON schemas, and the hashes that key the cache.

Strict mode accepts a subset of JSON Schema: every object closed
(``additionalProperties: false``) with every property required (optional fields are
nullable instead), no ``default``, and no keywords beside a ``$ref``. Pydantic's schema is
rewritten to that shape here rather than with the SDK's private helper, so the offline
backend and the schema version do not depend on the SDK's internals.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from pydantic import BaseModel

_DROPPED = frozenset({"default", "title"})


class StrictSchemaError(ValueError):
    """A model that cannot be expressed as a strict schema (an open dict, say)."""


def _canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def _resolve(ref: str, defs: Mapping[str, Any]) -> dict[str, Any]:
    prefix = "#/$defs/"
    if not ref.startswith(prefix) or ref[len(prefix) :] not in defs:
        raise StrictSchemaError(f"unresolvable $ref {ref!r}")
    return dict(defs[ref[len(prefix) :]])


def _strict(node: Any, defs: Mapping[str, Any], where: str) -> Any:
    if isinstance(node, list):
        return [_strict(item, defs, where) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node and len(node) > 1:
        # A $ref with siblings (a field's description) is refused in strict mode: inline it.
        merged = {**_resolve(node["$ref"], defs), **{k: v for k, v in node.items() if k != "$ref"}}
        return _strict(merged, defs, where)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROPPED:
            continue
        if key in ("properties", "$defs"):
            out[key] = {name: _strict(sub, defs, f"{where}.{name}") for name, sub in value.items()}
        else:
            out[key] = _strict(value, defs, where)
    if out.get("type") == "object" or "properties" in out:
        extra = out.get("additionalProperties")
        if isinstance(extra, dict) or (extra is True) or "properties" not in out:
            raise StrictSchemaError(
                f"{where}: strict schemas need fixed properties; use a list of items or a model "
                "instead of an open dict"
            )
        out["additionalProperties"] = False
        out["required"] = list(out["properties"])
    return out


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in OpenAI's strict shape."""
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    strict: dict[str, Any] = _strict(schema, defs, model.__name__)
    return strict


def response_format(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {"name": model.__name__, "strict": True, "schema": strict_schema(model)},
    }


def schema_version(model: type[BaseModel]) -> str:
    """Changes whenever what the model is asked for changes (fields, types, descriptions)."""
    return hashlib.sha256(_canonical(strict_schema(model))).hexdigest()[:16]


def prompt_hash(messages: Sequence[Mapping[str, str]], max_output_tokens: int) -> str:
    """The request's content; model and schema version complete the cache key."""
    payload = {"messages": [dict(m) for m in messages], "max_output_tokens": max_output_tokens}
    return hashlib.sha256(_canonical(payload)).hexdigest()
