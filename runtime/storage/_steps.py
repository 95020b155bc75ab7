"""The steps of a migration plan: small, immutable, describable in zh-CN and English.

A step does not execute itself in one go. It yields *actions* tagged with a phase, and the
executor runs each table's actions phase by phase, so that all column changes of a table
share one ``batch_alter_table`` (one table rebuild on SQLite) and renames happen only once
the names they need are free.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import sqlalchemy as sa
from alembic.operations import BatchOperations, Operations

from runtime.storage._convert import Conversion, UniqueCheck
from runtime.storage._naming import foreign_key_name, temp_column
from runtime.storage._problems import ProblemList
from runtime.storage._texts import phrase
from schemas.spec import DEFAULT_LOCALE


class Phase(IntEnum):
    """When an action runs. TABLE actions run first, in plan order, for all tables."""

    TABLE = 0
    DROP_INDEX = 1
    ADD = 2
    FILL = 3
    DISPLACE = 4
    ARCHIVE = 5
    RENAME = 6
    CREATE_INDEX = 7
    RECOMPUTE = 8
    """Runs after every table's schema changes, in plan order across tables."""


@dataclass(frozen=True)
class Action:
    phase: Phase
    table: str
    batch: Callable[[BatchOperations], None] | None = None
    """Runs inside the table's ``batch_alter_table`` (SQLite may rebuild the table)."""
    direct: Callable[[sa.Connection, Operations], None] | None = None
    """Runs on the connection, outside any batch."""


class Step(ABC):
    """Base of every migration step."""

    kind: str = ""
    table_key: str

    def describe(self, locale: str = DEFAULT_LOCALE) -> str:
        return phrase(self.kind, locale, **self._params())

    def _params(self) -> dict[str, Any]:
        return {"table": self.table_key}

    @abstractmethod
    def actions(self) -> Iterator[Action]:
        """What to execute, each tagged with its phase."""

    def as_dict(self) -> dict[str, Any]:
        """The JSON form kept with the published version."""
        return {"step": self.kind, "zh-CN": self.describe("zh-CN"), "en": self.describe("en")}


def addable(column: sa.Column[Any], table: str, name: str | None = None) -> sa.Column[Any]:
    """A detached, nullable copy of ``column`` whose foreign key has a name."""
    name = name or column.name
    keys = [
        sa.ForeignKey(fk.target_fullname, ondelete=fk.ondelete, name=foreign_key_name(table, name))
        for fk in column.foreign_keys
    ]
    return sa.Column(name, column.type, *keys, nullable=True)


def _rename(old: str, new: str, nullable: bool | None = None) -> Callable[[BatchOperations], None]:
    def run(batch: BatchOperations) -> None:
        batch.alter_column(old, new_column_name=new, nullable=nullable)

    return run


# --- tables ----------------------------------------------------------------------------
@dataclass(frozen=True)
class CreateTable(Step):
    """Create a table with its indexes. ``foreign_keys`` are the constraints created
    inline; any other (part of a reference cycle between new tables) comes later as an
    ``AddForeignKey`` once both tables exist."""

    table_key: str
    table: sa.Table
    foreign_keys: tuple[sa.ForeignKeyConstraint, ...] | None = None
    kind = "create_table"

    def actions(self) -> Iterator[Action]:
        def run(conn: sa.Connection, _ops: Operations) -> None:
            inline = None if self.foreign_keys is None else list(self.foreign_keys)
            conn.execute(sa.schema.CreateTable(self.table, include_foreign_key_constraints=inline))
            for index in self.table.indexes:
                index.create(conn)

        yield Action(Phase.TABLE, self.table.name, direct=run)


@dataclass(frozen=True)
class AddForeignKey(Step):
    """A reference between two tables created in the same publish (PostgreSQL needs both
    tables to exist first when they refer to each other)."""

    table_key: str
    constraint: sa.ForeignKeyConstraint
    kind = "add_foreign_key"

    def _params(self) -> dict[str, Any]:
        return {
            "table": self.table_key,
            "column": ", ".join(self.constraint.column_keys),
            "target": self.constraint.referred_table.name,
        }

    def actions(self) -> Iterator[Action]:
        fk = self.constraint
        table = fk.table.name

        def run(_conn: sa.Connection, ops: Operations) -> None:
            ops.create_foreign_key(
                foreign_key_name(table, fk.column_keys[0]),
                table,
                fk.referred_table.name,
                list(fk.column_keys),
                [e.column.name for e in fk.elements],
                ondelete=fk.ondelete,
            )

        yield Action(Phase.TABLE, table, direct=run)


@dataclass(frozen=True)
class ArchiveTable(Step):
    """Rename a removed table out of the way; its data stays. Its indexes are dropped
    (index names are schema-wide on PostgreSQL) and rebuilt if the table is restored."""

    table_key: str
    name: str
    archive: str
    displaced_to: str | None = None
    indexes: tuple[str, ...] = ()
    kind = "archive_table"

    def _params(self) -> dict[str, Any]:
        return {"table": self.table_key, "archive": self.archive, "displaced": self.displaced_to}

    def actions(self) -> Iterator[Action]:
        def run(_conn: sa.Connection, ops: Operations) -> None:
            for index in self.indexes:
                ops.drop_index(index, table_name=self.name)
            if self.displaced_to:
                ops.rename_table(self.archive, self.displaced_to)
            ops.rename_table(self.name, self.archive)

        yield Action(Phase.TABLE, self.name, direct=run)


@dataclass(frozen=True)
class RenameTable(Step):
    table_key: str
    old_key: str
    old: str
    new: str
    kind = "rename_table"

    def _params(self) -> dict[str, Any]:
        return {"table": self.table_key, "old": self.old_key}

    def actions(self) -> Iterator[Action]:
        yield Action(
            Phase.TABLE, self.new, direct=lambda _c, ops: ops.rename_table(self.old, self.new)
        )


@dataclass(frozen=True)
class RestoreTable(Step):
    table_key: str
    archive: str
    name: str
    kind = "restore_table"

    def _params(self) -> dict[str, Any]:
        return {"table": self.table_key, "archive": self.archive}

    def actions(self) -> Iterator[Action]:
        yield Action(
            Phase.TABLE, self.name, direct=lambda _c, ops: ops.rename_table(self.archive, self.name)
        )


# --- columns ---------------------------------------------------------------------------
@dataclass(frozen=True)
class AddColumn(Step):
    """Add an empty, nullable column. ``replaces`` is set when a column of that name is
    archived in the same migration: the new one is added under a temporary name and takes
    its name once the old one has moved."""

    table_key: str
    table: str
    column: sa.Column[Any]
    replaces: bool = False
    kind = "add_column"

    def _params(self) -> dict[str, Any]:
        return {"table": self.table_key, "column": self.column.name}

    def renames(self) -> list[tuple[str, str]]:
        return [(temp_column(self.column.name), self.column.name)] if self.replaces else []

    def actions(self) -> Iterator[Action]:
        name = temp_column(self.column.name) if self.replaces else self.column.name
        column = addable(self.column, self.table, name)
        yield Action(Phase.ADD, self.table, batch=lambda batch: batch.add_column(column))
        for old, new in self.renames():
            yield Action(Phase.RENAME, self.table, batch=_rename(old, new))


@dataclass(frozen=True)
class ArchiveColumn(Step):
    """Rename a column no field uses any more to its archive name, keeping its data."""

    table_key: str
    table: str
    column: str
    archive: str
    displaced_to: str | None = None
    make_nullable: bool = False
    """Archived columns must accept the NULL that new rows will have."""
    kind = "archive_column"

    def _params(self) -> dict[str, Any]:
        return {
            "table": self.table_key,
            "column": self.column,
            "archive": self.archive,
            "displaced": self.displaced_to,
        }

    def actions(self) -> Iterator[Action]:
        if self.displaced_to:
            yield Action(Phase.DISPLACE, self.table, batch=_rename(self.archive, self.displaced_to))
        nullable = True if self.make_nullable else None
        yield Action(Phase.ARCHIVE, self.table, batch=_rename(self.column, self.archive, nullable))


@dataclass(frozen=True)
class RestoreColumn(Step):
    table_key: str
    table: str
    archive: str
    column: str
    kind = "restore_column"

    def _params(self) -> dict[str, Any]:
        return {"table": self.table_key, "column": self.column, "archive": self.archive}

    def renames(self) -> list[tuple[str, str]]:
        return [(self.archive, self.column)]

    def actions(self) -> Iterator[Action]:
        yield Action(Phase.RENAME, self.table, batch=_rename(self.archive, self.column))


@dataclass(frozen=True)
class RenameColumn(Step):
    table_key: str
    table: str
    old: str
    new: str
    kind = "rename_column"

    def _params(self) -> dict[str, Any]:
        return {"table": self.table_key, "old": self.old, "column": self.new}

    def renames(self) -> list[tuple[str, str]]:
        return [(self.old, self.new)]

    def actions(self) -> Iterator[Action]:
        yield Action(Phase.RENAME, self.table, batch=_rename(self.old, self.new))


@dataclass(frozen=True)
class ChangeColumnType(Step):
    """Convert a field's values to its new type without losing the originals: add a new
    column, fill it with the converted values, archive the old column, take its name."""

    table_key: str
    table: str
    conversion: Conversion
    old_type: str
    archives: tuple[tuple[str, str, str | None], ...]
    """(source column, archive name, where an older archive of that name moves)."""
    rows: int = 0
    kind = "change_type"

    def _params(self) -> dict[str, Any]:
        return {
            "table": self.table_key,
            "field": self.conversion.new_field.key,
            "old_type": self.old_type,
            "new_type": self.conversion.new_field.type,
            "rows": self.rows,
            "archive": ", ".join(a[1] for a in self.archives),
        }

    def temp_columns(self) -> list[str]:
        return [temp_column(c.name) for c in self.conversion.new_columns]

    def renames(self) -> list[tuple[str, str]]:
        return [
            (t, c.name)
            for t, c in zip(self.temp_columns(), self.conversion.new_columns, strict=True)
        ]

    def actions(self) -> Iterator[Action]:
        temps = self.temp_columns()
        for temp, column in zip(temps, self.conversion.new_columns, strict=True):
            copy = addable(column, self.table, temp)
            yield Action(Phase.ADD, self.table, batch=lambda b, c=copy: b.add_column(c))
        yield Action(
            Phase.FILL, self.table, direct=lambda conn, _ops: self.conversion.fill(conn, temps)
        )
        for source, archive, displaced in self.archives:
            if displaced:
                yield Action(Phase.DISPLACE, self.table, batch=_rename(archive, displaced))
            yield Action(Phase.ARCHIVE, self.table, batch=_rename(source, archive))
        for old, new in self.renames():
            yield Action(Phase.RENAME, self.table, batch=_rename(old, new))


# --- indexes ---------------------------------------------------------------------------
@dataclass(frozen=True)
class DropIndex(Step):
    table_key: str
    table: str
    name: str
    kind = "drop_index"

    def _params(self) -> dict[str, Any]:
        return {"table": self.table_key, "index": self.name}

    def actions(self) -> Iterator[Action]:
        yield Action(
            Phase.DROP_INDEX,
            self.table,
            direct=lambda _c, ops: ops.drop_index(self.name, table_name=self.table),
        )


@dataclass(frozen=True)
class CreateIndex(Step):
    """Create an index; a unique one first checks the live rows for duplicates."""

    table_key: str
    table: str
    index: sa.Index
    check: UniqueCheck | None = field(default=None)
    kind = "create_index"

    def _params(self) -> dict[str, Any]:
        return {
            "table": self.table_key,
            "index": self.index.name,
            "columns": ", ".join(c.name for c in self.index.columns),
            "unique": self.index.unique,
        }

    def describe(self, locale: str = DEFAULT_LOCALE) -> str:
        kind = "create_unique_index" if self.index.unique else self.kind
        return phrase(kind, locale, **self._params())

    def actions(self) -> Iterator[Action]:
        def run(conn: sa.Connection, _ops: Operations) -> None:
            if self.check is not None:
                problems = ProblemList()
                self.check.collect(conn, problems)
                problems.raise_if_any()
            self.index.create(conn)

        yield Action(Phase.CREATE_INDEX, self.table, direct=run)
