"""Per-table plans: everything the record service needs to know about a table, worked
out once per ``AppTables`` and cached, so a create or a query pays only for its own work.

A plan holds the field types, the value kind of every field (lookups and formulas resolve
through their result type), which fields take input, the formulas in dependency order,
the lookups and rollups to materialise, and the reverse links other tables need (whose
rollups or lookups change when a record of this table changes).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from form_engine.fields.base import FieldType, FieldTypeRegistry
from form_engine.formula import Formula, dependency_order, parse_formula
from form_engine.kinds import Kind
from runtime.storage.tables import AppTables, index_name
from schemas.spec import PARENT_COLUMN, ROW_ORDER_COLUMN, FieldSpec, TableSpec

SYSTEM_KINDS: Mapping[str, Kind] = {
    "id": Kind.REF,
    "owner_id": Kind.REF,
    "created_by": Kind.REF,
    "updated_by": Kind.REF,
    "created_at": Kind.DATETIME,
    "updated_at": Kind.DATETIME,
    "row_version": Kind.NUMBER,
    "deleted_at": Kind.DATETIME,
}
"""System columns that conditions, sorts and aggregates may use."""
CHILD_SYSTEM_KINDS: Mapping[str, Kind] = {PARENT_COLUMN: Kind.REF, ROW_ORDER_COLUMN: Kind.NUMBER}
REFERENCE_TYPES = {"relation", "user", "department"}
SYSTEM_REFERENCE_TABLES = {"user": "kairos_user", "department": "kairos_department"}


@dataclass(frozen=True)
class FieldPlan:
    """One field: its spec, its type and what the service does with it."""

    key: str
    spec: FieldSpec
    type: FieldType
    kind: Kind
    stored: bool
    computed: bool
    columns: tuple[str, ...]

    @property
    def is_child_table(self) -> bool:
        return self.spec.type == "child_table"

    def to_json(self, value: Any) -> Any:
        if value is None:
            return None
        if self.is_child_table:
            return value  # rows are converted by their own table's plan
        return self.type.to_json(value, self.spec)


@dataclass(frozen=True)
class Rollup:
    """A rollup field: ``aggregate`` of ``source_field`` over rows of ``source_table``
    that belong to this record (child rows by ``parent_id``, or records whose ``via``
    relation points here), optionally only those meeting ``filter``."""

    key: str
    source_table: str
    aggregate: str
    source_field: str | None
    via: str | None  # None for child rows (linked by parent_id)
    child_field: str | None
    filter: Mapping[str, Any] | None


@dataclass(frozen=True)
class Lookup:
    key: str
    relation: str
    target_table: str
    target_field: str


@dataclass
class TablePlan:
    """What the record service knows about one table (built once, then read-only)."""

    app_key: str
    spec: TableSpec
    table: sa.Table
    fields: dict[str, FieldPlan]
    kinds: dict[str, Kind]
    formulas: list[tuple[str, Formula]]
    default_formulas: dict[str, Formula]
    lookups: list[Lookup]
    child_rollups: list[Rollup]
    backlink_rollups: list[Rollup]
    relations: dict[str, str]
    """Reference field key → SQL table name of its target."""
    relation_targets: dict[str, str]
    """Relation field key → target table key (app tables only)."""
    children: dict[str, str]
    """child_table field key → child table key."""
    unique_fields: list[str]
    unique_combos: list[tuple[str, ...]]
    unique_indexes: dict[str, tuple[str, ...]]
    """Partial unique index name → the field keys it covers (to translate IntegrityError)."""
    auto_numbers: list[str]
    rollup_parents: list[tuple[str, str]] = field(default_factory=list)
    """(table key, via field here) of tables with back-link rollups over this table."""
    lookup_dependents: list[tuple[str, Lookup]] = field(default_factory=list)
    """(table key, lookup) of lookups elsewhere that copy a field of this table."""
    condition_cache: dict[Any, Any] = field(default_factory=dict)
    """Compiled query filters (see ``_query.filter_clause``)."""

    @property
    def key(self) -> str:
        return self.spec.key

    @cached_property
    def stored_readers(self) -> tuple[tuple[str, FieldPlan, bool], ...]:
        """(key, field, plain) of stored fields; ``plain`` when the value is simply the
        column named after the field, so reads can skip the type's ``from_db``."""
        return tuple(
            (f.key, f, type(f.type).from_db is FieldType.from_db)
            for f in self.fields.values()
            if f.stored
        )

    @cached_property
    def stored_writers(self) -> tuple[tuple[str, FieldPlan, bool], ...]:
        """(key, field, plain) of stored, non-child fields; ``plain`` when the field's
        column value is the value itself, so writes can skip the type's ``to_db``."""
        return tuple(
            (f.key, f, type(f.type).to_db is FieldType.to_db)
            for f in self.fields.values()
            if f.stored and not f.is_child_table
        )

    @cached_property
    def field_column_names(self) -> tuple[str, ...]:
        """Every column of stored, non-child fields (an insert of many rows names them
        all, so each parameter set has the same keys)."""
        return tuple(c for _k, f, _p in self.stored_writers for c in f.columns)

    @property
    def parent(self) -> str | None:
        return self.spec.parent

    def label(self) -> Mapping[str, str]:
        return self.spec.label

    def stored_fields(self) -> list[FieldPlan]:
        return [f for f in self.fields.values() if f.stored]

    def expression(self, key: str) -> sa.ColumnElement[Any]:
        """The SQL expression of a field or system column (KeyError when unknown)."""
        plan = self.fields.get(key)
        if plan is None:
            if key in self.kinds:
                return self.table.c[key]
            raise KeyError(key)
        if not plan.stored:
            raise KeyError(key)
        return plan.type.sql_expression(self.table, plan.spec)


class AppPlan:
    """Plans of every table of one app."""

    def __init__(self, tables: AppTables) -> None:
        self.tables = tables
        self.app = tables.app
        self.registry: FieldTypeRegistry = tables.registry
        self.plans: dict[str, TablePlan] = {
            spec.key: _table_plan(tables, spec) for spec in tables.app.tables
        }
        for plan in self.plans.values():
            for rollup in plan.backlink_rollups:
                source = self.plans[rollup.source_table]
                if rollup.via is not None and (plan.key, rollup.via) not in source.rollup_parents:
                    source.rollup_parents.append((plan.key, rollup.via))
            for lookup in plan.lookups:
                self.plans[lookup.target_table].lookup_dependents.append((plan.key, lookup))

    def __getitem__(self, key: str) -> TablePlan:
        return self.plans[key]

    @property
    def timezone(self) -> str:
        return str(self.app.settings.get("timezone") or "UTC")


_CACHE: weakref.WeakKeyDictionary[AppTables, AppPlan] = weakref.WeakKeyDictionary()


def app_plan(tables: AppTables) -> AppPlan:
    """The (cached) plan of an app's tables."""
    plan = _CACHE.get(tables)
    if plan is None:
        plan = AppPlan(tables)
        _CACHE[tables] = plan
    return plan


def _table_plan(tables: AppTables, spec: TableSpec) -> TablePlan:
    registry = tables.registry
    table = tables.table(spec.key)
    fields: dict[str, FieldPlan] = {}
    kinds: dict[str, Kind] = dict(SYSTEM_KINDS)
    if spec.parent:
        kinds.update(CHILD_SYSTEM_KINDS)
    for f in spec.fields:
        ftype = registry.for_field(f)
        columns = tuple(c.name for c in tables.field_columns(f)) if ftype.stored else ()
        kind = ftype.kind_of(f)
        fields[f.key] = FieldPlan(f.key, f, ftype, kind, ftype.stored, ftype.computed, columns)
        kinds[f.key] = kind
    formulas = {
        f.key: parse_formula(str(f.config["expression"]))
        for f in spec.fields
        if f.type == "formula"
    }
    order = dependency_order(formulas) if formulas else []
    lookups, child_rollups, backlink_rollups = [], [], []
    relations: dict[str, str] = {}
    relation_targets: dict[str, str] = {}
    children: dict[str, str] = {}
    for f in spec.fields:
        if f.type == "relation":
            relations[f.key] = tables.name(f.config["target"])
            relation_targets[f.key] = f.config["target"]
        elif f.type in SYSTEM_REFERENCE_TABLES:
            relations[f.key] = SYSTEM_REFERENCE_TABLES[f.type]
        elif f.type == "child_table":
            children[f.key] = f.config["table"]
    for f in spec.fields:
        if f.type == "lookup":
            relation = f.config["relation"]
            lookups.append(Lookup(f.key, relation, relation_targets[relation], f.config["field"]))
        elif f.type == "rollup":
            config = f.config
            if "child" in config:
                child_rollups.append(
                    Rollup(
                        f.key,
                        children[config["child"]],
                        config["aggregate"],
                        config.get("field"),
                        None,
                        config["child"],
                        config.get("filter"),
                    )
                )
            else:
                backlink_rollups.append(
                    Rollup(
                        f.key,
                        config["table"],
                        config["aggregate"],
                        config.get("field"),
                        config["via"],
                        None,
                        config.get("filter"),
                    )
                )
    unique_fields = [f.key for f in spec.fields if f.unique]
    unique_combos = [tuple(c) for c in spec.unique]
    unique_indexes: dict[str, tuple[str, ...]] = {}
    for key in unique_fields:
        unique_indexes[index_name(table.name, f"{key}_uq")] = (key,)
    for combo in unique_combos:
        unique_indexes[index_name(table.name, "_".join(combo) + "_uq")] = combo
    for declared in spec.indexes:
        if declared.unique:
            suffix = declared.name or "_".join(declared.fields)
            unique_indexes[index_name(table.name, f"{suffix}_uq")] = declared.fields
            if declared.fields not in unique_combos and len(declared.fields) > 1:
                unique_combos.append(declared.fields)
            elif len(declared.fields) == 1 and declared.fields[0] not in unique_fields:
                unique_fields.append(declared.fields[0])
    return TablePlan(
        app_key=tables.app.key,
        spec=spec,
        table=table,
        fields=fields,
        kinds=kinds,
        formulas=[(key, formulas[key]) for key in order],
        default_formulas={
            f.key: parse_formula(f.default_formula) for f in spec.fields if f.default_formula
        },
        lookups=lookups,
        child_rollups=child_rollups,
        backlink_rollups=backlink_rollups,
        relations=relations,
        relation_targets=relation_targets,
        children=children,
        unique_fields=unique_fields,
        unique_combos=unique_combos,
        unique_indexes=unique_indexes,
        auto_numbers=[f.key for f in spec.fields if f.type == "auto_number"],
    )
