"""Readable text for a DefinitionDiff, in English or zh-CN (shown before publishing)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from builder.model.versions import Change, DefinitionDiff, TableDiff

_PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "no_changes": "No changes",
        "table_added": 'Table "{key}" added',
        "table_removed": 'Table "{key}" removed',
        "table_renamed": 'Table "{old}" renamed to "{new}"',
        "table_prefix": 'Table "{key}": ',
        "field_added": 'field "{key}" added',
        "field_removed": 'field "{key}" removed',
        "field_renamed": 'field "{old}" renamed to "{new}"',
        "field_changed": 'field "{key}": {changes}',
        "index_added": "index ({fields}) added",
        "index_removed": "index ({fields}) removed",
        "unique_added": "unique ({fields}) added",
        "unique_removed": "unique ({fields}) removed",
        "change": "{attribute} {old} → {new}",
        "changed": "{attribute} changed",
        "role_added": 'Role "{key}" added',
        "role_removed": 'Role "{key}" removed',
        "role_changed": 'Role "{key}" permissions changed',
        "app_changed": "App {changes}",
    },
    "zh-CN": {
        "no_changes": "没有变更",
        "table_added": "新增表“{key}”",
        "table_removed": "删除表“{key}”",
        "table_renamed": "表“{old}”改名为“{new}”",
        "table_prefix": "表“{key}”：",
        "field_added": "新增字段“{key}”",
        "field_removed": "删除字段“{key}”",
        "field_renamed": "字段“{old}”改名为“{new}”",
        "field_changed": "字段“{key}”：{changes}",
        "index_added": "新增索引（{fields}）",
        "index_removed": "删除索引（{fields}）",
        "unique_added": "新增唯一约束（{fields}）",
        "unique_removed": "删除唯一约束（{fields}）",
        "change": "{attribute} {old} → {new}",
        "changed": "{attribute} 已修改",
        "role_added": "新增角色“{key}”",
        "role_removed": "删除角色“{key}”",
        "role_changed": "角色“{key}”的权限已修改",
        "app_changed": "应用 {changes}",
    },
}


def describe_diff(diff: DefinitionDiff, locale: str = "en") -> str:
    phrases = _PHRASES.get(locale, _PHRASES["en"])
    lines = list(_lines(diff, phrases))
    return "\n".join(lines) if lines else phrases["no_changes"]


def _lines(diff: DefinitionDiff, p: dict[str, str]) -> Iterator[str]:
    if diff.changes:
        yield p["app_changed"].format(changes=_changes(diff.changes, p))
    yield from (p["table_added"].format(key=k) for k in diff.tables_added)
    yield from (p["table_removed"].format(key=k) for k in diff.tables_removed)
    yield from (p["table_renamed"].format(old=r.old, new=r.new) for r in diff.tables_renamed)
    for table in diff.tables_changed:
        prefix = p["table_prefix"].format(key=table.key)
        yield from (prefix + line for line in _table_lines(table, p))
    yield from (p["role_added"].format(key=k) for k in diff.roles_added)
    yield from (p["role_removed"].format(key=k) for k in diff.roles_removed)
    yield from (p["role_changed"].format(key=k) for k in diff.roles_changed)


def _table_lines(table: TableDiff, p: dict[str, str]) -> Iterator[str]:
    if table.changes:
        yield _changes(table.changes, p)
    yield from (p["field_added"].format(key=k) for k in table.fields_added)
    yield from (p["field_removed"].format(key=k) for k in table.fields_removed)
    yield from (p["field_renamed"].format(old=r.old, new=r.new) for r in table.fields_renamed)
    for change in table.fields_changed:
        yield p["field_changed"].format(key=change.key, changes=_changes(change.changes, p))
    for what, indexes in (
        ("index_added", table.indexes_added),
        ("index_removed", table.indexes_removed),
    ):
        yield from (p[what].format(fields=", ".join(i.fields)) for i in indexes)
    for what, combos in (
        ("unique_added", table.unique_added),
        ("unique_removed", table.unique_removed),
    ):
        yield from (p[what].format(fields=", ".join(c)) for c in combos)


def _changes(changes: tuple[Change, ...], p: dict[str, str]) -> str:
    return "; ".join(_change(c, p) for c in changes)


def _change(change: Change, p: dict[str, str]) -> str:
    # Structures (forms, rules, options lists) are too long for one line: name them only.
    if _is_structure(change.old) or _is_structure(change.new):
        return p["changed"].format(attribute=change.attribute)
    return p["change"].format(
        attribute=change.attribute, old=_shown(change.old), new=_shown(change.new)
    )


def _is_structure(value: Any) -> bool:
    if isinstance(value, Mapping):
        return not set(value) <= {"zh-CN", "en"}  # a label is shown in full
    return isinstance(value, list | tuple) and bool(value)


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "…"
