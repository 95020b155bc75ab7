"""Compare two published versions of an app definition.

Publishing stores an immutable copy of the document (runtime does the storage); this module
says what changed between two versions so runtime can turn it into a schema migration and the
designer can show it before publishing. Renames are recognised by ``renamed_from`` (on tables
and fields), so a renamed column keeps its data instead of being dropped and re-added.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any

from builder.model._describe import describe_diff
from schemas.spec import AppSpec, FieldSpec, IndexSpec, TableSpec

_FIELD_ATTRIBUTES = tuple(
    f.name for f in fields(FieldSpec) if f.name not in ("key", "renamed_from")
)
_TABLE_ATTRIBUTES = (
    "label",
    "description",
    "title_field",
    "parent",
    "rules",
    "duplicate_rules",
    "search_fields",
    "default_sort",
    "form",
)
_APP_ATTRIBUTES = ("name", "description", "version", "settings", "navigation")


def fingerprint(document: Mapping[str, Any]) -> str:
    """A stable SHA-256 of a definition document (key order and whitespace do not matter),
    to tell whether a publish actually changes anything."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Change:
    """One attribute that differs; ``attribute`` may be dotted (``config.precision``)."""

    attribute: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Rename:
    old: str
    new: str


@dataclass(frozen=True)
class FieldChange:
    key: str
    """The field's key in the new version."""
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class TableDiff:
    """What changed inside one table present in both versions (``key``: the new key)."""

    key: str
    fields_added: tuple[str, ...] = ()
    fields_removed: tuple[str, ...] = ()
    fields_renamed: tuple[Rename, ...] = ()
    fields_changed: tuple[FieldChange, ...] = ()
    indexes_added: tuple[IndexSpec, ...] = ()
    indexes_removed: tuple[IndexSpec, ...] = ()
    unique_added: tuple[tuple[str, ...], ...] = ()
    unique_removed: tuple[tuple[str, ...], ...] = ()
    changes: tuple[Change, ...] = ()
    """Table attributes other than fields and constraints (label, rules, form …)."""

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self) if f.name != "key")


@dataclass(frozen=True)
class DefinitionDiff:
    tables_added: tuple[str, ...] = ()
    tables_removed: tuple[str, ...] = ()
    tables_renamed: tuple[Rename, ...] = ()
    tables_changed: tuple[TableDiff, ...] = ()
    roles_added: tuple[str, ...] = ()
    roles_removed: tuple[str, ...] = ()
    roles_changed: tuple[str, ...] = ()
    changes: tuple[Change, ...] = ()
    """App attributes (name, version, settings, navigation)."""

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    def table(self, key: str) -> TableDiff | None:
        return next((t for t in self.tables_changed if t.key == key), None)

    def describe(self, locale: str = "en") -> str:
        """The changes as readable lines, in English or zh-CN."""
        return describe_diff(self, locale)


def diff(old: AppSpec, new: AppSpec) -> DefinitionDiff:
    """Everything that differs between version ``old`` and version ``new``."""
    old_tables = {t.key: t for t in old.tables}
    new_tables = {t.key: t for t in new.tables}
    renamed = _renames(old_tables, new_tables.values())
    renamed_new = {r.new for r in renamed}
    renamed_old = {r.old for r in renamed}
    pairs = [(old_tables[k], t) for k, t in new_tables.items() if k in old_tables]
    pairs += [(old_tables[r.old], new_tables[r.new]) for r in renamed]
    table_diffs = tuple(d for d in (_table_diff(o, n) for o, n in pairs) if not d.is_empty)
    old_roles = {r.key: r for r in old.roles}
    new_roles = {r.key: r for r in new.roles}
    return DefinitionDiff(
        tables_added=tuple(k for k in new_tables if k not in old_tables and k not in renamed_new),
        tables_removed=tuple(k for k in old_tables if k not in new_tables and k not in renamed_old),
        tables_renamed=renamed,
        tables_changed=table_diffs,
        roles_added=tuple(k for k in new_roles if k not in old_roles),
        roles_removed=tuple(k for k in old_roles if k not in new_roles),
        roles_changed=tuple(
            k for k in new_roles if k in old_roles and old_roles[k] != new_roles[k]
        ),
        changes=tuple(_attribute_changes(old, new, _APP_ATTRIBUTES)),
    )


def _renames(old: Mapping[str, Any], new: Any) -> tuple[Rename, ...]:
    """Items of ``new`` whose ``renamed_from`` names an item of ``old`` that is gone."""
    new_keys = {item.key for item in new}
    return tuple(
        Rename(item.renamed_from, item.key)
        for item in new
        if getattr(item, "renamed_from", None) in old
        and item.renamed_from not in new_keys
        and item.key not in old
    )


def _table_diff(old: TableSpec, new: TableSpec) -> TableDiff:
    old_fields = {f.key: f for f in old.fields}
    new_fields = {f.key: f for f in new.fields}
    renamed = _renames(old_fields, new.fields)
    new_key_of = {r.old: r.new for r in renamed}
    renamed_new = set(new_key_of.values())
    pairs = [(old_fields[k], f) for k, f in new_fields.items() if k in old_fields]
    pairs += [(old_fields[r.old], new_fields[r.new]) for r in renamed]
    changed = tuple(
        FieldChange(n.key, changes) for o, n in pairs if (changes := tuple(_field_changes(o, n)))
    )
    # Constraints of the old version, with renamed fields under their new keys.
    old_indexes = [
        IndexSpec(tuple(new_key_of.get(f, f) for f in i.fields), i.unique, i.name)
        for i in old.indexes
    ]
    old_unique = [tuple(new_key_of.get(f, f) for f in u) for u in old.unique]
    return TableDiff(
        key=new.key,
        fields_added=tuple(k for k in new_fields if k not in old_fields and k not in renamed_new),
        fields_removed=tuple(k for k in old_fields if k not in new_fields and k not in new_key_of),
        fields_renamed=renamed,
        fields_changed=changed,
        indexes_added=tuple(i for i in new.indexes if i not in old_indexes),
        indexes_removed=tuple(i for i in old_indexes if i not in new.indexes),
        unique_added=tuple(u for u in new.unique if u not in old_unique),
        unique_removed=tuple(u for u in old_unique if u not in new.unique),
        changes=tuple(_attribute_changes(old, new, _TABLE_ATTRIBUTES)),
    )


def _attribute_changes(old: Any, new: Any, names: tuple[str, ...]) -> Iterator[Change]:
    for name in names:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            yield Change(name, before, after)


def _field_changes(old: FieldSpec, new: FieldSpec) -> Iterator[Change]:
    for name in _FIELD_ATTRIBUTES:
        if name == "config":
            yield from _config_changes(old.config, new.config)
            continue
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            yield Change(name, before, after)


def _config_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    for key in [*old, *(k for k in new if k not in old)]:
        before, after = old.get(key), new.get(key)
        if before != after:
            yield Change(f"config.{key}", before, after)
