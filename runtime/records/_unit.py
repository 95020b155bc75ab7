"""Units of work: many record-service calls in one database transaction.

Every service call opens its own transaction, which is right for a form save. An
all-or-nothing import of 100,000 rows, a dry run, or a merge that updates one record and
deletes four must instead be *one* transaction. Inside ``RecordService.unit_of_work()``
each write runs in a savepoint of the unit's connection (a call that fails undoes only
itself), reads use the same connection (so they see the unit's own writes, and SQLite's
single writer never waits on itself), and the whole commits — or rolls back — at the end.

The active unit is kept in a context variable, so it follows the thread (or task) that
opened it and never leaks into another request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from runtime.db import WRITE_OPTION, read_transaction, write_transaction

_ACTIVE: ContextVar[tuple[Engine, sa.Connection] | None] = ContextVar(
    "kairos_unit_of_work", default=None
)


class UnitOfWork:
    """The handle ``unit_of_work()`` yields. ``discard()`` makes the unit roll back at the
    end instead of committing (e.g. an all-or-nothing import that found bad rows)."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.discarded = False

    def discard(self) -> None:
        self.discarded = True


class Discard(Exception):
    """Raised inside a write scope to undo it and hand ``result`` back to the caller."""

    def __init__(self, result: object) -> None:
        super().__init__("discarded")
        self.result = result


def joined(engine: Engine) -> sa.Connection | None:
    """The connection of the unit of work open on ``engine`` in this context, if any."""
    active = _ACTIVE.get()
    return active[1] if active is not None and active[0] is engine else None


@contextmanager
def open_unit(engine: Engine, *, commit: bool = True) -> Iterator[UnitOfWork]:
    """See ``RecordService.unit_of_work``."""
    if _ACTIVE.get() is not None:
        raise RuntimeError("units of work do not nest")
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
        transaction = conn.begin()
        unit = UnitOfWork(conn)
        token = _ACTIVE.set((engine, conn))
        try:
            yield unit
        except BaseException:
            transaction.rollback()
            raise
        finally:
            _ACTIVE.reset(token)
        if commit and not unit.discarded:
            transaction.commit()
        else:
            transaction.rollback()


@contextmanager
def write_scope(engine: Engine) -> Iterator[sa.Connection]:
    """A write transaction of its own, or a savepoint of the open unit of work."""
    conn = joined(engine)
    if conn is None:
        with write_transaction(engine) as own:
            yield own
        return
    with conn.begin_nested():
        yield conn


@contextmanager
def read_scope(engine: Engine) -> Iterator[sa.Connection]:
    """A read transaction of its own, or the open unit's connection (its writes visible)."""
    conn = joined(engine)
    if conn is None:
        with read_transaction(engine) as own:
            yield own
        return
    yield conn


@contextmanager
def scratch_scope(engine: Engine) -> Iterator[sa.Connection]:
    """A connection whose changes are always undone (previews)."""
    conn = joined(engine)
    if conn is not None:
        savepoint = conn.begin_nested()
        try:
            yield conn
        finally:
            savepoint.rollback()
        return
    with engine.connect() as own:
        transaction = own.begin()
        try:
            yield own
        finally:
            transaction.rollback()
