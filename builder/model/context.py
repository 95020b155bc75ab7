"""A tolerant index of an app document for the semantic checks.

Semantic checks run even when the shape is wrong, so that an analyst sees every problem at
once. This index therefore reads the raw document defensively: parts with the wrong JSON type
are skipped (the shape check reports them), and the first of two duplicate keys wins (the
duplicate check reports the second).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from builder.model.problems import Path
from form_engine.kinds import Kind
from schemas.spec import PARENT_COLUMN, ROW_ORDER_COLUMN

SYSTEM_KINDS: Mapping[str, Kind] = {
    "id": Kind.REF,
    "owner_id": Kind.REF,
    "created_by": Kind.REF,
    "updated_by": Kind.REF,
    "created_at": Kind.DATETIME,
    "updated_at": Kind.DATETIME,
}
"""System columns conditions and formulas may refer to, with their kinds."""
CHILD_SYSTEM_KINDS: Mapping[str, Kind] = {PARENT_COLUMN: Kind.REF, ROW_ORDER_COLUMN: Kind.NUMBER}
"""Extra columns of child-table rows."""


class FieldTypeLookup(Protocol):
    """The part of form_engine.fields.FieldTypeRegistry the checks use."""

    def __contains__(self, name: object) -> bool: ...

    def get(self, name: str) -> Any: ...

    def names(self) -> list[str]: ...

    def __iter__(self) -> Iterator[Any]: ...


@dataclass
class FieldInfo:
    key: str
    type: str | None
    doc: Mapping[str, Any]
    path: Path

    @property
    def config(self) -> Mapping[str, Any]:
        config = self.doc.get("config")
        return config if isinstance(config, Mapping) else {}


@dataclass
class TableInfo:
    key: str
    doc: Mapping[str, Any]
    path: Path
    fields: dict[str, FieldInfo] = field(default_factory=dict)

    @property
    def parent(self) -> str | None:
        parent = self.doc.get("parent")
        return parent if isinstance(parent, str) else None

    def column_names(self) -> list[str]:
        """Field keys plus system columns: what indexes and sorts may name."""
        names = [*self.fields, *SYSTEM_KINDS, "row_version", "deleted_at"]
        if self.parent:
            names += list(CHILD_SYSTEM_KINDS)
        return names


def items(doc: Mapping[str, Any], key: str) -> Iterator[tuple[int, Any]]:
    """Enumerate ``doc[key]`` when it is a list (else nothing)."""
    value = doc.get(key)
    if isinstance(value, list):
        yield from enumerate(value)


def strings(value: Any) -> Iterator[tuple[int, str]]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                yield i, item


class AppContext:
    """Tables and fields of the document by key, plus each field's value kind."""

    def __init__(
        self,
        document: Mapping[str, Any],
        field_types: FieldTypeLookup,
        shape_paths: Iterable[Path] = (),
    ) -> None:
        self.document = document
        self.field_types = field_types
        self.tables: dict[str, TableInfo] = {}
        self._shape_paths = set(shape_paths)
        for ti, table in items(document, "tables"):
            if not isinstance(table, Mapping) or not isinstance(table.get("key"), str):
                continue
            info = TableInfo(table["key"], table, ("tables", ti))
            self.tables.setdefault(info.key, info)
            for fi, f in items(table, "fields"):
                if isinstance(f, Mapping) and isinstance(f.get("key"), str):
                    type_ = f.get("type") if isinstance(f.get("type"), str) else None
                    field_info = FieldInfo(f["key"], type_, f, (*info.path, "fields", fi))
                    info.fields.setdefault(field_info.key, field_info)

    def has_shape_problem(self, path: Path) -> bool:
        """True when the shape check found a problem at or below ``path``."""
        n = len(path)
        return any(p[:n] == path for p in self._shape_paths)

    def field_type(self, info: FieldInfo) -> Any | None:
        if info.type is None or info.type not in self.field_types:
            return None
        return self.field_types.get(info.type)

    def kind_of(
        self, table: TableInfo, key: str, _seen: frozenset[str] = frozenset()
    ) -> Kind | None:
        """The value kind of ``table.key`` (system columns included); None if unknown."""
        if key in SYSTEM_KINDS:
            return SYSTEM_KINDS[key]
        if table.parent and key in CHILD_SYSTEM_KINDS:
            return CHILD_SYSTEM_KINDS[key]
        info = table.fields.get(key)
        marker = f"{table.key}.{key}"
        if info is None or marker in _seen or self.field_type(info) is None:
            return None
        seen = _seen | {marker}
        config = info.config
        if info.type == "formula":
            result = config.get("result_type")
            if isinstance(result, str) and result in self.field_types:
                kind: Kind = self.field_types.get(result).kind
                return kind
            return None
        if info.type == "lookup":
            target = self.relation_target(table, config.get("relation"))
            source = config.get("field")
            if target is None or not isinstance(source, str):
                return None
            return self.kind_of(target, source, seen)
        if info.type == "rollup":
            return self._rollup_kind(table, config, seen)
        kind = self.field_types.get(info.type).kind
        return kind

    def _rollup_kind(
        self, table: TableInfo, config: Mapping[str, Any], seen: frozenset[str]
    ) -> Kind | None:
        if config.get("aggregate") == "count":
            return Kind.NUMBER
        source = self.rollup_source(table, config)
        value = config.get("field")
        if source is None or not isinstance(value, str):
            return None
        return self.kind_of(source, value, seen)

    def relation_target(self, table: TableInfo, relation: Any) -> TableInfo | None:
        """The table a relation field of ``table`` points at, if all of it exists."""
        return self._linked_table(table, relation, "relation", "target")

    def child_table(self, table: TableInfo, child_field: Any) -> TableInfo | None:
        """The rows table of a child_table field of ``table``, if all of it exists."""
        return self._linked_table(table, child_field, "child_table", "table")

    def _linked_table(
        self, table: TableInfo, key: Any, field_type: str, config_key: str
    ) -> TableInfo | None:
        """The table named by ``config[config_key]`` of field ``key`` when that field
        exists and has type ``field_type`` (the definition may be half-written)."""
        info = table.fields.get(key) if isinstance(key, str) else None
        if info is None or info.type != field_type:
            return None
        linked = info.config.get(config_key)
        return self.tables.get(linked) if isinstance(linked, str) else None

    def rollup_source(self, table: TableInfo, config: Mapping[str, Any]) -> TableInfo | None:
        """The table whose rows a rollup aggregates (child table or back-linked table)."""
        if "child" in config:
            return self.child_table(table, config.get("child"))
        source = config.get("table")
        return self.tables.get(source) if isinstance(source, str) else None

    def field_kinds(self, table: TableInfo) -> tuple[dict[str, Kind], bool]:
        """Kinds of every column of ``table``, and whether all of its fields' kinds are known
        (when not, type errors are already reported and further type checks would only echo
        them)."""
        kinds: dict[str, Kind] = dict(SYSTEM_KINDS)
        if table.parent:
            kinds.update(CHILD_SYSTEM_KINDS)
        complete = True
        for key in table.fields:
            kind = self.kind_of(table, key)
            if kind is None:
                complete = False
            else:
                kinds[key] = kind
        return kinds, complete
