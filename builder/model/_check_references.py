"""Checks of references between tables: relation targets, child tables and their parents,
lookups, rollups, plus each field type's own ``check_config``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from builder.model._check_keys import unknown_field, unknown_table
from builder.model.context import AppContext, FieldInfo, TableInfo
from builder.model.problems import Finding, Path, engine_text
from schemas.spec import FieldSpec


def check_references(ctx: AppContext) -> Iterator[Finding]:
    for table in ctx.tables.values():
        yield from _parent(ctx, table)
        for info in table.fields.values():
            if info.type == "relation":
                yield from _relation(ctx, info)
            elif info.type == "child_table":
                yield from _child_table(ctx, table, info)
            elif info.type == "lookup":
                yield from _lookup(ctx, table, info)
            elif info.type == "rollup":
                yield from _rollup(ctx, table, info)
            yield from _type_config(ctx, info)


def _config_path(info: FieldInfo, key: str) -> Path:
    return (*info.path, "config", key)


def _parent(ctx: AppContext, table: TableInfo) -> Iterator[Finding]:
    parent_key = table.parent
    if parent_key is None:
        return
    path = (*table.path, "parent")
    if parent_key == table.key:
        yield Finding(path, "parent_is_self")
        return
    parent = ctx.tables.get(parent_key)
    if parent is None:
        yield from unknown_table(ctx, parent_key, path)
        return
    used = any(
        f.type == "child_table" and f.config.get("table") == table.key
        for f in parent.fields.values()
    )
    if not used:
        yield Finding(path, "orphan_child", {"table": table.key, "parent": parent_key})


def _relation(ctx: AppContext, info: FieldInfo) -> Iterator[Finding]:
    target = info.config.get("target")
    if isinstance(target, str):
        yield from unknown_table(ctx, target, _config_path(info, "target"))


def _child_table(ctx: AppContext, table: TableInfo, info: FieldInfo) -> Iterator[Finding]:
    child_key = info.config.get("table")
    if not isinstance(child_key, str):
        return
    path = _config_path(info, "table")
    child = ctx.tables.get(child_key)
    if child is None:
        yield from unknown_table(ctx, child_key, path)
    elif child.parent != table.key:
        yield Finding(
            path,
            "not_child_of",
            {"table": child_key, "parent": table.key, "actual": _quoted(child.parent)},
        )


def _quoted(value: str | None) -> str:
    return "none" if value is None else f'"{value}"'


def _field_of_type(table: TableInfo, key: Any, expected: str, path: Path) -> Iterator[Finding]:
    """Findings when ``key`` is not a field of ``table`` of type ``expected``."""
    if not isinstance(key, str):
        return
    candidates = [k for k, f in table.fields.items() if f.type == expected]
    if key in table.fields and key not in candidates:
        yield Finding(
            path,
            "wrong_field_type",
            {"name": key, "actual": table.fields[key].type, "expected": expected},
            allowed=", ".join(sorted(candidates)) or None,
        )
    else:
        yield from unknown_field(table, key, path, candidates)


def _lookup(ctx: AppContext, table: TableInfo, info: FieldInfo) -> Iterator[Finding]:
    config = info.config
    yield from _field_of_type(
        table, config.get("relation"), "relation", _config_path(info, "relation")
    )
    target = ctx.relation_target(table, config.get("relation"))
    source = config.get("field")
    if target is not None and isinstance(source, str):
        yield from unknown_field(target, source, _config_path(info, "field"))


def _rollup(ctx: AppContext, table: TableInfo, info: FieldInfo) -> Iterator[Finding]:
    config = info.config
    if "child" in config:
        yield from _field_of_type(
            table, config.get("child"), "child_table", _config_path(info, "child")
        )
    elif isinstance(config.get("table"), str):
        yield from unknown_table(ctx, config["table"], _config_path(info, "table"))
        source = ctx.tables.get(config["table"])
        via = config.get("via")
        if source is not None and isinstance(via, str):
            yield from _back_link(ctx, table, source, via, _config_path(info, "via"))
    source = ctx.rollup_source(table, config)
    value = config.get("field")
    if source is not None and isinstance(value, str):
        yield from unknown_field(source, value, _config_path(info, "field"))


def _back_link(
    ctx: AppContext, table: TableInfo, source: TableInfo, via: str, path: Path
) -> Iterator[Finding]:
    """``via`` must be a relation field of ``source`` that points back at ``table``."""
    findings = list(_field_of_type(source, via, "relation", path))
    yield from findings
    target = source.fields[via].config.get("target") if not findings else None
    # A target naming no table is reported on the relation itself.
    if target in ctx.tables and target != table.key:
        yield Finding(path, "not_related", {"name": via, "table": source.key, "target": table.key})


def _type_config(ctx: AppContext, info: FieldInfo) -> Iterator[Finding]:
    """The field type's own semantic checks, run only on a field whose shape is right."""
    field_type = ctx.field_type(info)
    if field_type is None or ctx.has_shape_problem(info.path):
        return
    for message in field_type.check_config(FieldSpec.from_dict(info.doc)):
        yield Finding((*info.path, "config"), "text", {"text": engine_text(str(message), message)})
