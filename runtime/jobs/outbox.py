"""The outbox dispatcher: hands every committed record event to the registered consumers.

The record service writes each event to ``kairos_outbox`` in the record's own transaction.
The dispatcher takes due events (``processed_at`` empty, ``available_at`` reached), claims
them exactly as jobs are claimed (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, compare-and-set
on SQLite) and runs each consumer's handler inside the same transaction that marks the
event processed, so an event's effects and its "done" mark commit together: a process
that dies mid-way leaves the event pending, never half-handled.

Handlers must be quick and database-only (e.g. the webhooks consumer only inserts
delivery rows; the HTTP calls happen later, one delivery at a time). A failing consumer
rolls back to its savepoint; the event is retried with exponential back-off, and consumers
that already succeeded are not run again (``kairos_outbox_receipt``).

Every process that dispatches must register the same consumers (the web app and
``kairos worker`` import the same modules), since an event is processed once for all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from runtime.db import is_postgres, read_transaction, write_transaction
from runtime.jobs._store import worker_name
from runtime.jobs._tables import OUTBOX, OUTBOX_RECEIPT, utcnow

log = logging.getLogger("kairos.outbox")

Consumer = Callable[[sa.Connection, dict[str, Any]], None]
_CONSUMERS: dict[str, Consumer] = {}
BATCH = 100
MAX_ATTEMPTS = 10
"""After this many failed rounds an event is given up (marked processed, error kept)."""


def register_consumer(name: str, handler: Consumer) -> None:
    """Run ``handler(conn, event)`` for every outbox event, in the dispatcher's write
    transaction. ``event`` is the ``kairos_outbox`` row as a dict (``payload`` inside)."""
    _CONSUMERS[name] = handler


def consumers() -> tuple[str, ...]:
    return tuple(sorted(_CONSUMERS))


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … doubling, at most one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def dispatch_outbox(engine: sa.Engine, *, limit: int = BATCH, now: datetime | None = None) -> int:
    """Handle up to ``limit`` due events; returns how many were claimed. Nothing is read
    for writing (no SQLite write lock) while the outbox is empty or no consumer exists."""
    if not _CONSUMERS:
        return 0
    now = now or utcnow()
    due = sa.and_(OUTBOX.c.processed_at.is_(None), OUTBOX.c.available_at <= now)
    with read_transaction(engine) as conn:
        if conn.execute(sa.select(OUTBOX.c.id).where(due).limit(1)).first() is None:
            return 0
    worker = worker_name()
    with write_transaction(engine) as conn:
        query = sa.select(OUTBOX).where(due).order_by(OUTBOX.c.id).limit(limit)
        if is_postgres(conn):
            query = query.with_for_update(skip_locked=True)
        events = {row["id"]: dict(row) for row in conn.execute(query).mappings()}
        if not events:
            return 0
        # Compare-and-set claim of the whole batch, then keep only the rows it really
        # took (on SQLite the write transaction already serialises dispatchers; on
        # PostgreSQL the rows are locked — the check makes the claim explicit on both).
        conn.execute(
            OUTBOX.update()
            .where(OUTBOX.c.id.in_(list(events)), OUTBOX.c.processed_at.is_(None))
            .values(claimed_by=worker, claimed_at=now)
        )
        claimed = conn.execute(
            sa.select(OUTBOX.c.id).where(
                OUTBOX.c.id.in_(list(events)),
                OUTBOX.c.claimed_by == worker,
                OUTBOX.c.processed_at.is_(None),
            )
        ).scalars()
        ids = sorted(claimed)
        done: dict[int, set[str]] = {event_id: set() for event_id in ids}
        for receipt in conn.execute(
            sa.select(OUTBOX_RECEIPT).where(OUTBOX_RECEIPT.c.event_id.in_(ids))
        ).mappings():
            done[receipt["event_id"]].add(receipt["consumer"])
        handled = [i for i in ids if _handle(conn, events[i], done[i], now)]
        if handled:
            conn.execute(
                OUTBOX.update()
                .where(OUTBOX.c.id.in_(handled))
                .values(processed_at=now, last_error=None)
            )
    return len(ids)


def _handle(conn: sa.Connection, event: dict[str, Any], done: set[str], now: datetime) -> bool:
    """Run the consumers that have not handled ``event`` yet; True when all succeeded (the
    caller marks it processed). On a failure the successful consumers get a receipt and
    the event is rescheduled; receipts are only needed then, since success and the
    processed mark commit together."""
    errors, succeeded = [], []
    for name in consumers():
        if name in done:
            continue
        try:
            with conn.begin_nested():
                _CONSUMERS[name](conn, event)
            succeeded.append(name)
        except Exception as exc:  # one consumer's bug must not stop the others
            log.exception("outbox consumer %s failed on event %s", name, event["id"])
            errors.append(f"{name}: {exc}"[:1000])
    if not errors:
        return True
    if succeeded:
        conn.execute(
            OUTBOX_RECEIPT.insert(),
            [{"consumer": n, "event_id": event["id"], "handled_at": now} for n in succeeded],
        )
    attempts = int(event["attempts"] or 0) + 1
    values: dict[str, Any] = {"attempts": attempts, "last_error": "\n".join(errors)}
    if attempts >= MAX_ATTEMPTS:
        values["processed_at"] = now  # given up: the error stays for the operator
    else:
        values["available_at"] = now + retry_delay(attempts)
        values["claimed_by"] = None
    conn.execute(OUTBOX.update().where(OUTBOX.c.id == event["id"]).values(**values))
    return False
