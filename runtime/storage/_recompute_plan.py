"""Which computed fields a publish must recompute, and in what order.

Formula, lookup and rollup values are materialised in real columns when a record is
written. A publish that adds such a field, changes its configuration (a new expression, a
new aggregate …) or changes the data it reads (a converted, re-added or restored column)
leaves the stored values of existing rows wrong. Every such field is recomputed, and so is
every computed field that reads one of them — on the same table or through a lookup or
rollup on another — each after the fields it reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from form_engine.formula import FormulaError, parse_formula
from runtime.storage._recompute import RecomputeField
from runtime.storage._steps import AddColumn, ChangeColumnType, RestoreColumn, Step
from runtime.storage.tables import AppTables
from schemas.spec import AppSpec, FieldSpec, TableSpec

RECOMPUTED_TYPES = frozenset({"formula", "lookup", "rollup"})
"""Field types whose stored values are derived from other fields."""

Node = tuple[str, str]
"""(table key, field key)."""


def recompute_steps(
    tables: AppTables,
    previous: AppSpec | None,
    column_steps: Sequence[Step],
    created: Iterable[str],
) -> list[Step]:
    """One ``RecomputeField`` step per computed field whose stored values may be stale, in
    dependency order. ``column_steps`` are the planned column changes (a re-added,
    restored or converted column holds new data); tables in ``created`` are new and empty.
    """
    app = tables.app
    depends = _dependencies(app)
    changed = set(_changed_specs(app, previous)) | set(_touched(tables, column_steps))
    stale = _dependents_of(changed, depends)
    empty = set(created)
    order = _order(app, stale, depends)
    return [
        RecomputeField(
            key, tables.name(key), field_key, app.table(key).field(field_key).type, tables
        )
        for key, field_key in order
        if tables.name(key) not in empty
    ]


# --- what changed ------------------------------------------------------------------------
def _old_table(previous: AppSpec | None, spec: TableSpec) -> TableSpec | None:
    if previous is None:
        return None
    for key in (spec.key, spec.renamed_from):
        if key and previous.has_table(key):
            return previous.table(key)
    return None


def _old_field(old: TableSpec | None, spec: FieldSpec) -> FieldSpec | None:
    if old is None:
        return None
    for key in (spec.key, spec.renamed_from):
        if key and old.has_field(key):
            return old.field(key)
    return None


def _changed_specs(app: AppSpec, previous: AppSpec | None) -> Iterator[Node]:
    """Computed fields that are new or whose type or configuration changed."""
    for spec in app.tables:
        old_table = _old_table(previous, spec)
        for field in spec.fields:
            if field.type not in RECOMPUTED_TYPES:
                continue
            old = _old_field(old_table, field)
            if old is None or old.type != field.type or _plain(old.config) != _plain(field.config):
                yield spec.key, field.key


def _plain(value: Any) -> Any:
    """Configuration as plain dicts and lists, so frozen and thawed copies compare equal."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _touched(tables: AppTables, steps: Sequence[Step]) -> Iterator[Node]:
    """Fields whose column gets new data in this migration: added (empty), restored from an
    archive or converted to a new type."""
    columns: dict[tuple[str, str], str] = {}
    for spec in tables.app.tables:
        for field in spec.fields:
            for column in tables.field_columns(field):
                columns[(spec.key, column.name)] = field.key
    for step in steps:
        if isinstance(step, ChangeColumnType):
            yield step.table_key, step.conversion.new_field.key
        elif isinstance(step, AddColumn | RestoreColumn):
            name = step.column if isinstance(step, RestoreColumn) else step.column.name
            field_key = columns.get((step.table_key, name))
            if field_key is not None:
                yield step.table_key, field_key


# --- what depends on what ----------------------------------------------------------------
def _dependencies(app: AppSpec) -> dict[Node, set[Node]]:
    """Every computed field → the fields (of any table) its value is computed from."""
    depends: dict[Node, set[Node]] = {}
    for spec in app.tables:
        for field in spec.fields:
            if field.type in RECOMPUTED_TYPES:
                depends[(spec.key, field.key)] = set(_inputs(app, spec, field))
    return depends


def _inputs(app: AppSpec, spec: TableSpec, field: FieldSpec) -> Iterator[Node]:
    config = field.config
    if field.type == "formula":
        try:
            formula = parse_formula(str(config.get("expression", "")))
        except FormulaError:
            return
        for reference in formula.references:
            if isinstance(reference, str):
                yield spec.key, reference
                continue
            child_field, column = reference
            yield spec.key, child_field
            if spec.has_field(child_field):
                child = spec.field(child_field).config.get("table")
                if child:
                    yield str(child), column
    elif field.type == "lookup":
        relation = str(config.get("relation", ""))
        yield spec.key, relation
        if spec.has_field(relation):
            yield str(spec.field(relation).config.get("target")), str(config.get("field"))
    elif field.type == "rollup":
        if "child" in config:
            yield spec.key, str(config["child"])
            child = spec.field(config["child"]) if spec.has_field(config["child"]) else None
            source = str(child.config.get("table")) if child is not None else ""
        else:
            source = str(config.get("table", ""))
            yield source, str(config.get("via"))
        if config.get("field"):
            yield source, str(config["field"])
        for key in _condition_fields(config.get("filter")):
            yield source, key


def _condition_fields(condition: Any) -> Iterator[str]:
    """Field keys a condition tree mentions (its leaves and field operands)."""
    if isinstance(condition, Mapping):
        for key, value in condition.items():
            if key == "field" and isinstance(value, str):
                yield value
            else:
                yield from _condition_fields(value)
    elif isinstance(condition, list | tuple):
        for item in condition:
            yield from _condition_fields(item)


def _dependents_of(changed: set[Node], depends: Mapping[Node, set[Node]]) -> set[Node]:
    """The computed fields among ``changed`` plus every computed field reading them,
    directly or through other computed fields."""
    readers: dict[Node, set[Node]] = {}
    for node, inputs in depends.items():
        for used in inputs:
            readers.setdefault(used, set()).add(node)
    stale = {node for node in changed if node in depends}
    pending = list(changed)
    seen = set(changed)
    while pending:
        for reader in readers.get(pending.pop(), ()):
            stale.add(reader)
            if reader not in seen:
                seen.add(reader)
                pending.append(reader)
    return stale


def _order(app: AppSpec, stale: set[Node], depends: Mapping[Node, set[Node]]) -> list[Node]:
    """``stale`` fields, each after the stale fields it reads; otherwise in definition
    order. (The definition check refuses formula cycles; any other circle is broken at
    its first member in definition order.)"""
    positions = [(s.key, f.key) for s in app.tables for f in s.fields]
    remaining = [node for node in positions if node in stale]
    ordered: list[Node] = []
    done: set[Node] = set()
    while remaining:
        ready = next(
            (n for n in remaining if not (depends[n] & stale) - done - {n}),
            remaining[0],
        )
        ordered.append(ready)
        done.add(ready)
        remaining.remove(ready)
    return ordered
