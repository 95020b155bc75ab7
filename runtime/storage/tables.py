"""SQLAlchemy Core tables generated from an app definition.

Each definition table becomes a real SQL table named ``<app>__<table>`` with the system
columns, one or more typed columns per stored field (the field type decides), foreign keys
for relations, and the indexes list views need. Nothing here touches the database: the
migration planner compares these tables with the live schema.
"""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa

from form_engine.fields.base import FieldTypeRegistry
from form_engine.fields.sqltypes import UTCDateTime
from runtime.storage.system import ID_TYPE, define_system_tables
from schemas.spec import (
    PARENT_COLUMN,
    RESERVED_KEYS,
    ROW_ORDER_COLUMN,
    AppSpec,
    FieldSpec,
    TableSpec,
)

REFERENCE_TARGETS = {"user": "kairos_user", "department": "kairos_department"}
"""Field types whose column is a foreign key into a system table."""


def physical_name(app_key: str, table_key: str) -> str:
    """The SQL table name of a definition table. Keys are validated to be short enough
    for PostgreSQL's 63-character identifier limit."""
    return f"{app_key}__{table_key}"


def index_name(table_name: str, suffix: str) -> str:
    # PostgreSQL truncates identifiers at 63 bytes; keep names unique and deterministic.
    name = f"ix_{table_name}_{suffix}"
    if len(name) <= 63:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[:54]}_{digest}"


def system_columns(spec: TableSpec) -> list[sa.Column[Any]]:
    columns: list[sa.Column[Any]] = [
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", ID_TYPE, sa.ForeignKey("kairos_user.id"), nullable=True),
        sa.Column("updated_by", ID_TYPE, sa.ForeignKey("kairos_user.id"), nullable=True),
        sa.Column("owner_id", ID_TYPE, sa.ForeignKey("kairos_user.id"), nullable=True),
        sa.Column("row_version", sa.Integer, nullable=False, default=1),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
    ]
    return columns


class AppTables:
    """The SQL tables of one app definition, plus the system tables, in one MetaData."""

    def __init__(self, app: AppSpec, registry: FieldTypeRegistry) -> None:
        self.app = app
        self.registry = registry
        self.metadata = sa.MetaData()
        self.system = define_system_tables(self.metadata)
        self._tables: dict[str, sa.Table] = {}
        for spec in app.tables:
            self._tables[spec.key] = self._build(spec)

    def table(self, key: str) -> sa.Table:
        return self._tables[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._tables.items())

    def name(self, key: str) -> str:
        return physical_name(self.app.key, key)

    def field_columns(self, field: FieldSpec) -> list[sa.Column[Any]]:
        """The columns a field owns, with foreign keys attached for references."""
        field_type = self.registry.for_field(field)
        columns = field_type.columns(field)
        target = self._reference_target(field)
        if target is not None and columns:
            on_delete = "SET NULL" if field.config.get("on_delete") == "set_null" else None
            first = columns[0]
            columns[0] = sa.Column(
                first.name,
                ID_TYPE,
                sa.ForeignKey(f"{target}.id", ondelete=on_delete),
                nullable=True,
            )
        return columns

    def _reference_target(self, field: FieldSpec) -> str | None:
        if field.type == "relation":
            return physical_name(self.app.key, field.config["target"])
        return REFERENCE_TARGETS.get(field.type)

    def _build(self, spec: TableSpec) -> sa.Table:
        name = self.name(spec.key)
        columns = system_columns(spec)
        if spec.parent:
            parent = physical_name(self.app.key, spec.parent)
            columns.append(
                sa.Column(
                    PARENT_COLUMN,
                    ID_TYPE,
                    sa.ForeignKey(f"{parent}.id", ondelete="CASCADE"),
                    nullable=False,
                )
            )
            columns.append(sa.Column(ROW_ORDER_COLUMN, sa.Integer, nullable=False, default=0))
        for field in spec.fields:
            columns.extend(self.field_columns(field))
        table = sa.Table(name, self.metadata, *columns)
        self._add_indexes(spec, table)
        return table

    def _add_indexes(self, spec: TableSpec, table: sa.Table) -> None:
        """Indexes from the definition plus those every list view and relation needs.

        Unique rules only apply to live rows (a deleted record in the recycle bin must not
        block re-creating it), hence partial unique indexes on both backends.
        """
        live = table.c.deleted_at.is_(None)
        # sa.Index binds itself to ``table`` when given its columns.
        made: dict[str, sa.Index] = {}

        def add(suffix: str, cols: list[str], unique: bool = False) -> None:
            name = index_name(table.name, suffix)
            if name in made:
                return
            kwargs: dict[str, Any] = {}
            if unique:
                kwargs = {"sqlite_where": live, "postgresql_where": live}
            made[name] = sa.Index(name, *(table.c[c] for c in cols), unique=unique, **kwargs)

        add("owner", ["owner_id", "id"])
        add("updated", ["updated_at", "id"])
        add("created", ["created_at", "id"])
        add("deleted", ["deleted_at"])
        if spec.parent:
            add("parent", [PARENT_COLUMN, ROW_ORDER_COLUMN])
        for field in spec.fields:
            columns = [c.name for c in self.field_columns(field)]
            if not columns:
                continue
            if self._reference_target(field) is not None or field.index:
                add(field.key, [columns[0], "id"] if not field.unique else [columns[0]])
            if field.unique:
                add(f"{field.key}_uq", [columns[0]], unique=True)
        for declared in spec.indexes:
            cols = [self._first_column(spec, f) for f in declared.fields]
            suffix = declared.name or "_".join(declared.fields)
            add(suffix if not declared.unique else f"{suffix}_uq", cols, unique=declared.unique)
        for combo in spec.unique:
            cols = [self._first_column(spec, f) for f in combo]
            add("_".join(combo) + "_uq", cols, unique=True)

    def _first_column(self, spec: TableSpec, field_key: str) -> str:
        if field_key in RESERVED_KEYS:
            return field_key
        columns = self.field_columns(spec.field(field_key))
        return columns[0].name
