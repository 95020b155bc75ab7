"""Fill in what a definition leaves implicit, so the spec is complete for storage.

A lookup shows another table's field, and a rollup aggregates one: their column type is
that field's type. Analysts should not have to repeat it, so after validation the builder
copies ``result_type``/``result_config`` from the referenced field (following lookups of
lookups) unless the definition states them.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

SYSTEM_RESULT_TYPES: dict[str, tuple[str, dict[str, Any]]] = {
    "created_at": ("datetime", {}),
    "updated_at": ("datetime", {}),
    "created_by": ("user", {}),
    "updated_by": ("user", {}),
    "owner_id": ("user", {}),
}
COUNT_RESULT = ("number", {"precision": 0})


def resolve_derived_types(document: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a validated app document with lookup/rollup result types filled in."""
    resolved = copy.deepcopy(dict(document))
    tables = {t["key"]: t for t in resolved.get("tables", ())}
    for table in tables.values():
        for field in table.get("fields", ()):
            if field.get("type") in ("lookup", "rollup"):
                _fill(tables, table, field, depth=0)
    return resolved


def _fill(
    tables: Mapping[str, Any], table: Mapping[str, Any], field: dict[str, Any], depth: int
) -> tuple[str, dict[str, Any]] | None:
    config = field.setdefault("config", {})
    if config.get("result_type"):
        return config["result_type"], dict(config.get("result_config") or {})
    if depth > 10:  # lookups of lookups cannot loop in a valid definition; stay safe anyway
        return None
    source = _source(tables, table, field)
    if source is None:
        return None
    source_table, source_key = source
    if field["type"] == "rollup" and config.get("aggregate") == "count":
        result: tuple[str, dict[str, Any]] | None = COUNT_RESULT
    else:
        result = _type_of(tables, source_table, source_key, depth)
    if result is None:
        return None
    result_type, result_config = result
    if field["type"] == "rollup" and config.get("aggregate") == "avg":
        result_config = {**result_config, "precision": max(result_config.get("precision", 0), 2)}
    config["result_type"] = result_type
    config["result_config"] = result_config
    return result


def _source(
    tables: Mapping[str, Any], table: Mapping[str, Any], field: Mapping[str, Any]
) -> tuple[Mapping[str, Any], str] | None:
    config = field.get("config", {})
    if field["type"] == "lookup":
        relation = _field(table, config.get("relation"))
        target = tables.get((relation or {}).get("config", {}).get("target"))
        return None if target is None else (target, config.get("field"))
    if "child" in config:
        child_field = _field(table, config["child"])
        child = tables.get((child_field or {}).get("config", {}).get("table"))
        return None if child is None else (child, config.get("field"))
    source = tables.get(config.get("table"))
    return None if source is None else (source, config.get("field"))


def _type_of(
    tables: Mapping[str, Any], table: Mapping[str, Any], key: str | None, depth: int
) -> tuple[str, dict[str, Any]] | None:
    if key in SYSTEM_RESULT_TYPES:
        return SYSTEM_RESULT_TYPES[key]
    field = _field(table, key)
    if field is None:
        return None
    kind = field["type"]
    config = dict(field.get("config") or {})
    if kind in SYSTEM_RESULT_TYPES:
        return SYSTEM_RESULT_TYPES[kind]
    if kind in ("lookup", "rollup"):
        return _fill(tables, table, field, depth + 1)
    if kind == "formula":
        result_type = config.get("result_type", "number")
        extra = {"precision": config["precision"]} if "precision" in config else {}
        return result_type, extra
    if kind == "auto_number":
        return "text", {"max_length": 64}
    return kind, config


def _field(table: Mapping[str, Any], key: str | None) -> dict[str, Any] | None:
    for field in table.get("fields", ()):
        if field.get("key") == key:
            return field
    return None
