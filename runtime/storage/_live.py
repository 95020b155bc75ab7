"""A snapshot of the live database schema, read once per migration plan.

Column types are compared by their DDL on the connection's dialect (``VARCHAR(255)``,
``NUMERIC(18, 2)``, ``TIMESTAMP WITH TIME ZONE``), which is what a reflected column and a
column built from a definition have in common.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


def type_signature(column_type: sa.types.TypeEngine[Any], dialect: Dialect) -> str:
    """The DDL of a column type, normalised so reflected and declared types compare."""
    ddl = column_type.compile(dialect=dialect).upper()
    return re.sub(r"\s+", " ", re.sub(r"\s*,\s*", ",", ddl)).strip()


@dataclass(frozen=True)
class LiveColumn:
    name: str
    type: sa.types.TypeEngine[Any]
    signature: str
    nullable: bool
    references: str | None
    """The table a single-column foreign key on this column points at."""


@dataclass(frozen=True)
class LiveIndex:
    name: str
    columns: tuple[str, ...]
    unique: bool


@dataclass
class LiveTable:
    name: str
    columns: dict[str, LiveColumn] = field(default_factory=dict)
    indexes: dict[str, LiveIndex] = field(default_factory=dict)


class LiveSchema:
    """Tables, columns, foreign keys and indexes as they are in the database now."""

    def __init__(self, conn: sa.Connection) -> None:
        self.dialect = conn.dialect
        self._inspector = sa.inspect(conn)
        self.table_names = set(self._inspector.get_table_names())
        self._tables: dict[str, LiveTable] = {}

    def has_table(self, name: str) -> bool:
        return name in self.table_names

    def table(self, name: str) -> LiveTable:
        """Columns and indexes of table ``name`` (reflected on first use)."""
        if name not in self._tables:
            self._tables[name] = self._reflect(name)
        return self._tables[name]

    def _reflect(self, name: str) -> LiveTable:
        references: dict[str, str] = {}
        for fk in self._inspector.get_foreign_keys(name):
            if len(fk["constrained_columns"]) == 1:
                references[fk["constrained_columns"][0]] = fk["referred_table"]
        table = LiveTable(name)
        for col in self._inspector.get_columns(name):
            table.columns[col["name"]] = LiveColumn(
                name=col["name"],
                type=col["type"],
                signature=type_signature(col["type"], self.dialect),
                nullable=bool(col["nullable"]),
                references=references.get(col["name"]),
            )
        for index in self._inspector.get_indexes(name):
            if index["name"] is None:
                continue
            columns = tuple(c for c in index["column_names"] if c is not None)
            table.indexes[index["name"]] = LiveIndex(index["name"], columns, bool(index["unique"]))
        return table
