"""Many rows of one table written straight to the driver: SQLite ``executemany``,
PostgreSQL ``COPY``.

``conn.execute(table.insert(), rows)`` builds, per row, SQLAlchemy's parameter
dictionary and runs every value through its column type — in Python, row by row. A
100k-row import writes 300k rows that way (records, audit entries, events), which cost
more than SQLite's own work on them. ``insert_rows`` converts each value with the very
same column types (each type's bind processor on the dialect, so JSON, datetimes and
the field types' columns are stored exactly as through SQLAlchemy) and hands plain
tuples to the driver. Rows are dictionaries with the same keys; a row with other keys, or a missing
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
    postgres = conn.dialect.name == "postgresql"
    keys = tuple(rows[0])
    plan = _statement(conn.dialect, table, keys)
    if (
        plan is None
        or (postgres and len(rows) < COPY_FROM)
        or conn.dialect.name not in ("sqlite", "postgresql")
        or any(len(row) != len(keys) for row in rows)
    ):
        conn.execute(table.insert(), list(rows))
        return
    sql, processors, defaults, names = plan
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
    if postgres:
        copy_rows(conn, table.name, names, params)
    else:
        conn.exec_driver_sql(sql, params)


COPY_FROM = 500
"""Rows from which PostgreSQL gets them by COPY: SQLAlchemy's many-rows INSERTs cost
several times more on the server; for a few rows a COPY's own round trips do not pay."""


@lru_cache(maxsize=256)
def _statement(
    dialect: sa.Dialect, table: sa.Table, keys: tuple[str, ...]
) -> tuple[str, list[Processor], list[Any], list[str]] | None:
    """(INSERT statement, per key its bind processor, constant defaults of the columns
    the rows leave out, the column names in order) — None when SQLAlchemy must write
    them (a computed default)."""
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
    processors = [_processor(dialect, c) for c in columns[: len(keys)]]
    return sql, processors, defaults, [c.name for c in columns]


def _processor(dialect: sa.Dialect, column: sa.Column[Any]) -> Processor:
    """The column type's bind processor on this dialect — of the dialect's own
    implementation (SQLite's DATETIME writes ``… 00:00:00.000000``; the generic type
    would leave the value to the driver, which writes ``… 00:00:00``, and text
    comparisons of the two disagree)."""
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def copy_rows(
    conn: sa.Connection, table_name: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """PostgreSQL: ``COPY table (columns) FROM STDIN`` of plain values (numbers, text)
    on the connection's own transaction — the fastest way in for many small rows."""
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    driver = conn.connection.driver_connection
    assert driver is not None
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table_name}" ({names}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row(row)
