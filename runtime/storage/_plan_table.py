"""Plan the column and index changes of one table that already exists in the database.

Every live column ends up somewhere: kept, renamed, converted (old values archived) or
archived. The planner also records where each live column will be afterwards, so existing
indexes can be compared with the definition's as they will be, not as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa

from form_engine.messages import FieldError
from runtime.storage._convert import Conversion, UniqueCheck
from runtime.storage._live import LiveColumn, LiveSchema, LiveTable, type_signature
from runtime.storage._naming import (
    TEMP_PREFIX,
    archived_name,
    free_archive_generation,
    is_archive,
)
from runtime.storage._problems import ProblemList, RowProblem
from runtime.storage._recompute_plan import RECOMPUTED_TYPES
from runtime.storage._steps import (
    AddColumn,
    ArchiveColumn,
    ChangeColumnType,
    CreateIndex,
    DropIndex,
    RenameColumn,
    RestoreColumn,
    Step,
)
from runtime.storage.tables import AppTables
from schemas.spec import FieldSpec, TableSpec

MANAGED_INDEX_PREFIX = "ix_"
"""Indexes Kairos names (tables.index_name); others found in the database are left alone."""


@dataclass
class TablePlanner:
    """Plans one table: ``desired`` is the table built from the new definition, ``source``
    the live table holding its data now (it may be renamed or restored first)."""

    conn: sa.Connection
    live_schema: LiveSchema
    tables: AppTables
    spec: TableSpec
    desired: sa.Table
    source: str
    old_spec: TableSpec | None
    old_tables: AppTables | None
    problems: ProblemList
    moved_tables: Mapping[str, str] = field(default_factory=dict)
    """Live table → its name after the migration (renamed or restored tables), so a
    reference to a renamed table is recognised as still pointing at the same rows."""
    steps: list[Step] = field(default_factory=list)
    moves: dict[str, str] = field(default_factory=dict)
    """Live column → its name after the migration."""
    unchanged: dict[str, str] = field(default_factory=dict)
    """Final column → live column holding the same data now (for duplicate checks)."""

    def __post_init__(self) -> None:
        self.live: LiveTable = self.live_schema.table(self.source)
        self.taken: set[str] = set(self.live.columns)
        self.claimed: set[str] = set()
        self.freed: set[str] = set()

    # --- driver ----------------------------------------------------------------------
    def plan(self) -> list[Step]:
        field_columns = set()
        for spec_field in self.spec.fields:
            columns = [self.desired.c[c.name] for c in self.tables.field_columns(spec_field)]
            field_columns.update(c.name for c in columns)
            if columns:
                self._plan_field(spec_field, columns)
        for column in self.desired.columns:
            if column.name not in field_columns:
                self._plan_system_column(column)
        for name, live in self.live.columns.items():
            if name not in self.claimed and not is_archive(name):
                self._archive(name, live)
        for name in self.live.columns:
            self.moves.setdefault(name, name)
        self._plan_indexes()
        return self.steps

    # --- columns ---------------------------------------------------------------------
    def _plan_system_column(self, column: sa.Column[Any]) -> None:
        if column.name in self.live.columns:
            self._keep(column.name)
        elif column.nullable:
            self.steps.append(AddColumn(self.spec.key, self.desired.name, column))
        else:
            error = FieldError(None, "migration_column_required", {"column": column.name})
            self.problems.add(RowProblem(self.spec.key, None, column.name, None, error))

    def _keep(self, name: str) -> None:
        self.claimed.add(name)
        self.moves[name] = name
        self.unchanged[name] = name

    def _old_field(self, spec_field: FieldSpec, renamed: bool) -> FieldSpec | None:
        if self.old_spec is None:
            return None
        key = spec_field.renamed_from if renamed else spec_field.key
        return self.old_spec.field(key) if key and self.old_spec.has_field(key) else None

    def _old_columns(
        self, old_field: FieldSpec | None, spec_field: FieldSpec, count: int
    ) -> list[str]:
        if old_field is not None and self.old_tables is not None:
            return [c.name for c in self.old_tables.field_columns(old_field)]
        return [spec_field.renamed_from] if count == 1 and spec_field.renamed_from else []

    def _plan_field(self, spec_field: FieldSpec, columns: list[sa.Column[Any]]) -> None:
        names = [c.name for c in columns]
        live = self.live.columns
        if all(n in live and n not in self.claimed for n in names):
            source, old_field = names, self._old_field(spec_field, renamed=False)
        else:
            old_field = self._old_field(spec_field, renamed=True)
            source = self._old_columns(old_field, spec_field, len(names))
            if not source or not all(s in live and s not in self.claimed for s in source):
                self._restore_or_add(columns)
                return
        self.claimed.update(source)
        live_columns = [live[s] for s in source]
        conversion = self._needs_conversion(spec_field, old_field, live_columns, columns)
        if conversion and spec_field.type not in RECOMPUTED_TYPES:
            self._convert(spec_field, old_field, live_columns, columns)
        elif conversion or self._retargeted(live_columns, columns):
            # A computed field's old values are not converted but archived; the publish
            # recomputes the new column (see _recompute_plan).
            for s in source:
                self._archive(s, live[s])
            for column in columns:
                self.steps.append(AddColumn(self.spec.key, self.desired.name, column, True))
        else:
            for s, column in zip(source, columns, strict=True):
                self.moves[s] = column.name
                self.unchanged[column.name] = s
                if s != column.name:
                    self.steps.append(
                        RenameColumn(self.spec.key, self.desired.name, s, column.name)
                    )

    def _signature(self, column: sa.Column[Any]) -> str:
        return type_signature(column.type, self.live_schema.dialect)

    def _needs_conversion(
        self,
        spec_field: FieldSpec,
        old_field: FieldSpec | None,
        live_columns: list[LiveColumn],
        columns: list[sa.Column[Any]],
    ) -> bool:
        if old_field is not None and old_field.type != spec_field.type:
            return True
        if len(live_columns) != len(columns):
            return True
        return any(
            lc.signature != self._signature(c) for lc, c in zip(live_columns, columns, strict=True)
        )

    def _retargeted(self, live_columns: list[LiveColumn], columns: list[sa.Column[Any]]) -> bool:
        """A reference now points at another table: old ids mean nothing there. A table
        renamed in this migration is the same table: its references keep their ids (the
        foreign key follows the rename)."""
        for lc, column in zip(live_columns, columns, strict=True):
            targets = {fk.target_fullname.split(".")[0] for fk in column.foreign_keys}
            now = self.moved_tables.get(lc.references, lc.references) if lc.references else None
            if now != (next(iter(targets)) if targets else None):
                return True
        return False

    def _restore_or_add(self, columns: list[sa.Column[Any]]) -> None:
        archives = [archived_name(c.name) for c in columns]
        live = self.live.columns
        if all(
            a in live and a not in self.claimed and live[a].signature == self._signature(c)
            for a, c in zip(archives, columns, strict=True)
        ):
            for archive, column in zip(archives, columns, strict=True):
                self.claimed.add(archive)
                self.freed.add(archive)
                self.moves[archive] = column.name
                self.unchanged[column.name] = archive
                self.steps.append(
                    RestoreColumn(self.spec.key, self.desired.name, archive, column.name)
                )
            return
        for column in columns:
            self.steps.append(AddColumn(self.spec.key, self.desired.name, column))

    def _allocate_archive(self, column: str) -> tuple[str, str | None]:
        """The archive name for ``column`` and, when an older archive holds that name,
        where the older one moves."""
        archive = archived_name(column)
        displaced = None
        if archive in self.taken and archive not in self.freed:
            displaced = free_archive_generation(column, self.taken)
            self.taken.add(displaced)
            self.moves[archive] = displaced
        self.taken.add(archive)
        return archive, displaced

    def _archive(self, name: str, live: LiveColumn) -> None:
        if name.startswith(TEMP_PREFIX):
            return
        archive, displaced = self._allocate_archive(name)
        self.claimed.add(name)
        self.moves[name] = archive
        self.steps.append(
            ArchiveColumn(
                self.spec.key,
                self.desired.name,
                name,
                archive,
                displaced,
                make_nullable=not live.nullable,
            )
        )

    def _convert(
        self,
        spec_field: FieldSpec,
        old_field: FieldSpec | None,
        live_columns: list[LiveColumn],
        columns: list[sa.Column[Any]],
    ) -> None:
        registry = self.tables.registry
        old_type = registry.for_field(old_field) if old_field is not None else None
        read_types = [lc.type for lc in live_columns]
        if old_field is not None and old_type is not None:
            declared = self.old_tables.field_columns(old_field) if self.old_tables else []
            if len(declared) == len(live_columns):
                read_types = [c.type for c in declared]
        conversion = Conversion(
            table=self.desired.name,
            table_key=self.spec.key,
            source=tuple(lc.name for lc in live_columns),
            source_types=tuple(read_types),
            new_field=spec_field,
            new_type=registry.for_field(spec_field),
            new_columns=tuple(columns),
            old_field=old_field,
            old_type=old_type,
        )
        rows = replace(conversion, table=self.source).converted_rows(self.conn, self.problems)
        archives = []
        for lc in live_columns:
            archive, displaced = self._allocate_archive(lc.name)
            self.moves[lc.name] = archive
            archives.append((lc.name, archive, displaced))
        old_type_name = old_field.type if old_field is not None else live_columns[0].signature
        self.steps.append(
            ChangeColumnType(
                self.spec.key,
                self.desired.name,
                conversion,
                old_type_name,
                tuple(archives),
                rows=len(rows),
            )
        )

    # --- indexes ---------------------------------------------------------------------
    def _plan_indexes(self) -> None:
        wanted = {ix.name: ix for ix in self.desired.indexes if ix.name}
        kept = set()
        for name, live in self.live.indexes.items():
            if not name.startswith(MANAGED_INDEX_PREFIX):
                continue
            index = wanted.get(name)
            after = tuple(self.moves.get(c, c) for c in live.columns)
            if index is not None and after == _columns(index) and live.unique == index.unique:
                kept.add(name)
            else:
                self.steps.append(DropIndex(self.spec.key, self.desired.name, name))
        for name, index in wanted.items():
            if name not in kept:
                self._create_index(index)

    def _create_index(self, index: sa.Index) -> None:
        check = None
        if index.unique:
            fields = tuple(self._field_of(c) for c in _columns(index))
            check = UniqueCheck(self.desired.name, self.spec.key, _columns(index), fields)
            sources = [self.unchanged.get(c) for c in _columns(index)]
            if all(sources):
                now = UniqueCheck(
                    self.source, self.spec.key, tuple(s for s in sources if s), fields
                )
                now.collect(self.conn, self.problems)
        self.steps.append(CreateIndex(self.spec.key, self.desired.name, index, check))

    def _field_of(self, column: str) -> FieldSpec:
        for spec_field in self.spec.fields:
            if column in {c.name for c in self.tables.field_columns(spec_field)}:
                return spec_field
        return FieldSpec(key=column, type="system", label={"zh-CN": column, "en": column})


def _columns(index: sa.Index) -> tuple[str, ...]:
    return tuple(c.name for c in index.columns)
