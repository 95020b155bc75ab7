"""Units of work: many record-service calls in one database transaction.

Every service call opens its own transaction, which is right for a form save. An
all-or-nothing import of 100,000 rows, a dry run, or a merge that updates one record and
deletes four must instead be *one* transaction. Inside ``RecordService.unit_of_work()``
each write runs in a savepoint of the unit's connection (a call that fails undoes only
itself), reads use the same connection (so they see the unit's own writes, and SQLite's
single writer never waits on itself), and the whole commits — or rolls back — at the end.

The active unit is kept in a context variable, so it follows the thread (or task) that
opened it and never leaks into another request.

A unit also remembers the records its callers *hold*: ``RecordService.lock`` checked the
actor's rights on them and locked their rows for the rest of the unit. An operation over
several records (a merge) may then move references between the records it holds
(``RecordService.references``, ``repoint``) without rights on the referring records.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from runtime.db import WRITE_OPTION, read_transaction, write_transaction

Held = tuple[int | None, str, int]
"""(user id of the actor holding it, table key, record id)."""


class UnitOfWork:
    """The handle ``unit_of_work()`` yields. ``discard()`` makes the unit roll back at the
    end instead of committing (e.g. an all-or-nothing import that found bad rows)."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.discarded = False
        self._held: set[Held] = set()

    def discard(self) -> None:
        self.discarded = True


_ACTIVE: ContextVar[tuple[Engine, UnitOfWork] | None] = ContextVar(
    "kairos_unit_of_work", default=None
)


class Discard(Exception):
    """Raised inside a write scope to undo it and hand ``result`` back to the caller."""

    def __init__(self, result: object) -> None:
        super().__init__("discarded")
        self.result = result


def active_unit(engine: Engine) -> UnitOfWork | None:
    """The unit of work open on ``engine`` in this context, if any."""
    active = _ACTIVE.get()
    return active[1] if active is not None and active[0] is engine else None


def joined(engine: Engine) -> sa.Connection | None:
    """The connection of the unit of work open on ``engine`` in this context, if any."""
    unit = active_unit(engine)
    return None if unit is None else unit.connection


def hold(engine: Engine, held: Held) -> None:
    """Record that an actor holds a record for the rest of the open unit of work."""
    unit = active_unit(engine)
    if unit is None:
        raise RuntimeError("holding a record for write needs an open unit of work")
    unit._held.add(held)


def holds(engine: Engine, held: Held) -> bool:
    """Whether the actor holds the record in the unit of work open on ``engine``."""
    unit = active_unit(engine)
    return unit is not None and held in unit._held


@contextmanager
def open_unit(engine: Engine, *, commit: bool = True) -> Iterator[UnitOfWork]:
    """See ``RecordService.unit_of_work``."""
    if _ACTIVE.get() is not None:
        raise RuntimeError("units of work do not nest")
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
        transaction = conn.begin()
        unit = UnitOfWork(conn)
        token = _ACTIVE.set((engine, unit))
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
