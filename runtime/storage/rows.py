"""Many rows of one table written with one driver-level ``executemany``.

``conn.execute(table.insert(), rows)`` builds, per row, SQLAlchemy's parameter
dictionary and runs every value through its column type — in Python, row by row. A
100k-row import writes 300k rows that way (records, audit entries, events), which cost
more than SQLite's own work on them. ``insert_rows`` converts each value with the very
same column types (each type's bind processor on the dialect, so JSON, datetimes and the field
types' columns are stored exactly as through SQLAlchemy) and hands plain tuples to the
driver. Rows are dictionaries with the same keys; a row with other keys, or a missing
column with a Python-side default that is not a constant, falls back to SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

Processor = Callable[[Any], Any] | None


def insert_rows(conn: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT ``rows`` (dictionaries of column values) into ``table``."""
    if not rows:
        return
    keys = tuple(rows[0])
    plan = _statement(conn.dialect, table, keys)
    if plan is None or any(len(row) != len(keys) for row in rows):
        conn.execute(table.insert(), list(rows))
        return
    sql, processors, defaults = plan
    try:
        params = [
            tuple(
                [
                    v if p is None else p(v)
                    for p, v in zip(processors, map(row.__getitem__, keys), strict=True)
                ]
                + defaults
            )
            for row in rows
        ]
    except KeyError:  # a row with the same number of keys but other ones
        conn.execute(table.insert(), list(rows))
        return
    conn.exec_driver_sql(sql, params)


@lru_cache(maxsize=256)
def _statement(
    dialect: sa.Dialect, table: sa.Table, keys: tuple[str, ...]
) -> tuple[str, list[Processor], list[Any]] | None:
    """(INSERT statement, per key its bind processor, constant defaults of the columns
    the rows leave out) — None when SQLAlchemy must write them (a computed default)."""
    if any(k not in table.c for k in keys):
        return None
    defaults: list[Any] = []
    columns = [table.c[k] for k in keys]
    for column in table.c:
        if column.key in keys or column.default is None:
            continue
        default = column.default
        if not isinstance(default, sa.ColumnDefault) or not default.is_scalar:
            return None
        columns.append(column)
        process = _processor(dialect, column)
        defaults.append(default.arg if process is None else process(default.arg))
    preparer = dialect.identifier_preparer
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(preparer.quote(c.name) for c in columns)
    marks = ", ".join([mark] * len(columns))
    sql = f"INSERT INTO {preparer.format_table(table)} ({names}) VALUES ({marks})"
    return sql, [_processor(dialect, c) for c in columns[: len(keys)]], defaults


def _processor(dialect: sa.Dialect, column: sa.Column[Any]) -> Processor:
    """The column type's bind processor on this dialect — of the dialect's own
    implementation (SQLite's DATETIME writes ``… 00:00:00.000000``; the generic type
    would leave the value to the driver, which writes ``… 00:00:00``, and text
    comparisons of the two disagree)."""
    return column.type.dialect_impl(dialect).bind_processor(dialect)
