"""One transaction around many record-service calls: all-or-nothing imports, dry runs and
previews.

``RecordService`` opens a transaction per call (``runtime.db.write_transaction``). An
import of 100,000 rows calls it once per chunk, yet "all or nothing" must mean one
transaction, and a dry run or preview must validate exactly as a real run (unique values,
references, rules — everything the service checks against the database) and write
nothing. ``joined_service`` gives a ``RecordService`` over a stand-in engine whose every
connection is the same outer connection and whose every ``begin()`` is a savepoint in its
one transaction; the caller commits or rolls back the whole at the end. The service code
is untouched and fully used (validation, permissions, audit, events): its writes simply
become part of the outer transaction.

Kept inside ``runtime.transfer`` until the record service offers a public preview; on
PostgreSQL a rolled-back run still consumes id sequence numbers (sequences are not
transactional), so ids may have gaps — never duplicates.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from runtime.db import WRITE_OPTION
from runtime.records import RecordService


class _Savepoint:
    def __init__(self, owner: _JoinedConnection) -> None:
        self.owner = owner
        self.nested = owner.conn.begin_nested()
        owner.savepoints.append(self.nested)

    def __enter__(self) -> Any:
        return self.nested

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> None:
        self.owner.savepoints.remove(self.nested)
        if not self.nested.is_active:
            return
        if kind is None:
            self.nested.commit()
        else:
            self.nested.rollback()


class _JoinedConnection:
    """The outer connection seen through the service's eyes: ``begin()`` is a savepoint,
    ``rollback()`` rolls back the innermost one, closing does nothing."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.savepoints: list[Any] = []

    def execution_options(self, **_options: Any) -> _JoinedConnection:
        return self

    def begin(self) -> _Savepoint:
        return _Savepoint(self)

    def rollback(self) -> None:
        if self.savepoints and self.savepoints[-1].is_active:
            self.savepoints[-1].rollback()

    def commit(self) -> None:
        raise RuntimeError("a joined connection commits only with its outer transaction")

    def close(self) -> None:
        return None

    def __enter__(self) -> _JoinedConnection:
        return self

    def __exit__(self, *_exc: Any) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)


class _JoinedEngine:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def connect(self) -> _JoinedConnection:
        return _JoinedConnection(self.conn)

    def begin(self) -> _Savepoint:
        return _Savepoint(_JoinedConnection(self.conn))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn.engine, name)


class Outcome:
    """Set ``commit = True`` inside the ``joined_service`` block to keep the writes."""

    commit = False


@contextmanager
def joined_service(svc: RecordService) -> Iterator[tuple[RecordService, Outcome]]:
    """A service whose calls all share one write transaction, committed at the end only
    when ``outcome.commit`` was set (and no exception escaped), else rolled back."""
    outcome = Outcome()
    with svc.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
        transaction = conn.begin()
        try:
            joined = RecordService(_JoinedEngine(conn), svc.tables, clock=svc.clock)  # type: ignore[arg-type]
            yield joined, outcome
        except BaseException:
            transaction.rollback()
            raise
        if outcome.commit:
            transaction.commit()
        else:
            transaction.rollback()
