"""Checks of keys and of references to fields inside one table: duplicates, reserved names,
renames, title field, indexes, unique constraints, search and sort fields, navigation."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from builder.model.context import AppContext, TableInfo, items, strings
from builder.model.problems import Finding, Path, allowed_list, format_path, suggest
from schemas.spec import RESERVED_KEYS


def check_keys(ctx: AppContext) -> Iterator[Finding]:
    doc = ctx.document
    yield from _duplicates(_keyed(doc, "tables", ("tables",)), "table")
    yield from _duplicates(_keyed(doc, "roles", ("roles",)), "role")
    yield from _table_renames(ctx)
    for nav_index, group in items(doc, "navigation"):
        if isinstance(group, Mapping):
            for i, key in strings(group.get("tables")):
                yield from unknown_table(ctx, key, ("navigation", nav_index, "tables", i))
    for table in ctx.tables.values():
        yield from _table_keys(ctx, table)
    for ti, table_doc in items(doc, "tables"):
        if isinstance(table_doc, Mapping):
            yield from _duplicates(_keyed(table_doc, "fields", ("tables", ti, "fields")), "field")
            yield from _duplicates(_keyed(table_doc, "rules", ("tables", ti, "rules")), "rule")


def _keyed(doc: Mapping[str, Any], key: str, path: Path) -> Iterator[tuple[str, Path]]:
    for i, item in items(doc, key):
        if isinstance(item, Mapping) and isinstance(item.get("key"), str):
            yield item["key"], (*path, i, "key")


def _duplicates(keyed: Iterable[tuple[str, Path]], what: str) -> Iterator[Finding]:
    first: dict[str, Path] = {}
    for key, path in keyed:
        if key in first:
            yield Finding(
                path, "duplicate", {"what": what, "key": key, "first": format_path(first[key])}
            )
        else:
            first[key] = path


def unknown_table(ctx: AppContext, key: str, path: Path) -> Iterator[Finding]:
    if key not in ctx.tables:
        yield Finding(
            path,
            "unknown_table",
            {"name": key},
            allowed=allowed_list(sorted(ctx.tables)),
            suggestion=suggest(key, ctx.tables),
        )


def unknown_field(
    table: TableInfo, key: str, path: Path, names: Iterable[str] | None = None
) -> Iterator[Finding]:
    """A finding when ``key`` names no field of ``table`` (``names``: what may be named)."""
    candidates = list(table.fields if names is None else names)
    if key not in candidates:
        yield Finding(
            path,
            "unknown_field",
            {"table": table.key, "name": key},
            allowed=allowed_list(sorted(candidates)),
            suggestion=suggest(key, candidates),
        )


def _table_renames(ctx: AppContext) -> Iterator[Finding]:
    for table in ctx.tables.values():
        old = table.doc.get("renamed_from")
        if not isinstance(old, str):
            continue
        path = (*table.path, "renamed_from")
        if old == table.key:
            yield Finding(path, "renamed_from_self")
        elif old in ctx.tables:
            yield Finding(path, "renamed_from_taken", {"name": old, "what": "table"})


def _table_keys(ctx: AppContext, table: TableInfo) -> Iterator[Finding]:
    doc, path = table.doc, table.path
    for key, info in table.fields.items():
        if key in RESERVED_KEYS:
            yield Finding(
                (*info.path, "key"),
                "reserved_key",
                {"key": key},
                allowed="any other key; reserved: " + allowed_list(sorted(RESERVED_KEYS)),
            )
        old = info.doc.get("renamed_from")
        if isinstance(old, str):
            if old == key:
                yield Finding((*info.path, "renamed_from"), "renamed_from_self")
            elif old in table.fields:
                yield Finding(
                    (*info.path, "renamed_from"),
                    "renamed_from_taken",
                    {"name": old, "what": "field"},
                )
    if isinstance(doc.get("title_field"), str):
        yield from unknown_field(table, doc["title_field"], (*path, "title_field"))
    columns = table.column_names()
    for i, index in items(doc, "indexes"):
        if isinstance(index, Mapping):
            for j, key in strings(index.get("fields")):
                yield from unknown_field(table, key, (*path, "indexes", i, "fields", j), columns)
    for i, combination in items(doc, "unique"):
        for j, key in strings(combination):
            yield from unknown_field(table, key, (*path, "unique", i, j), columns)
    for i, key in strings(doc.get("search_fields")):
        yield from unknown_field(table, key, (*path, "search_fields", i))
    for i, sort in items(doc, "default_sort"):
        if isinstance(sort, Mapping) and isinstance(sort.get("field"), str):
            yield from unknown_field(
                table, sort["field"], (*path, "default_sort", i, "field"), columns
            )
    for i, rule in items(doc, "rules"):
        if isinstance(rule, Mapping):
            for j, key in strings(rule.get("fields")):
                yield from unknown_field(table, key, (*path, "rules", i, "fields", j))
