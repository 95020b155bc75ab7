"""Pruning the delivery log: finished deliveries older than the retention are deleted.

Delivered ones go after ``KAIROS_WEBHOOK_RETENTION_DAYS`` (default 30), failed ones after
``KAIROS_WEBHOOK_FAILED_RETENTION_DAYS`` (default 90, never less than the first): a
failure is what an administrator comes back to investigate or redeliver, a success rarely.
Deliveries still waiting or sending are never pruned, whatever their age. Age counts from
when a delivery finished (delivered or given up). 0 keeps them for ever.

Rows go in bounded batches (``PRUNE_BATCH`` deliveries with their attempts per
transaction), so pruning a large backlog never holds SQLite's write lock or a PostgreSQL
transaction for long. Two callers: ``kairos webhook prune`` (all batches at once) and the
worker pump ``prune_pump``, which starts a run at most once per ``PRUNE_INTERVAL`` across
every process sharing the database (a compare-and-set on ``kairos_webhook_setting``) and
then deletes one batch per worker round until a batch comes back short, so deliveries and
jobs keep flowing while it drains.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from runtime.db import read_transaction, write_transaction
from runtime.jobs._tables import utcnow
from runtime.webhooks._tables import ATTEMPT, DELIVERY, SETTING

log = logging.getLogger("kairos.webhooks")

DEFAULT_RETENTION_DAYS = 30
DEFAULT_FAILED_RETENTION_DAYS = 90
RETENTION_ENV = "KAIROS_WEBHOOK_RETENTION_DAYS"
FAILED_RETENTION_ENV = "KAIROS_WEBHOOK_FAILED_RETENTION_DAYS"
PRUNE_BATCH = 500
PRUNE_INTERVAL = timedelta(hours=1)
"""A pump-driven prune run starts at most this often (all processes together)."""
CHECK_SECONDS = 300.0
"""How often a process looks whether a run is due (a read of one setting row)."""
PRUNED_AT_KEY = "pruned_at"


@dataclass(frozen=True)
class Retention:
    """How long finished deliveries are kept; None keeps them for ever."""

    delivered: timedelta | None
    failed: timedelta | None

    @classmethod
    def days(cls, delivered: int | None, failed: int | None) -> Retention:
        """From whole days (0 or None: for ever); failed ones are kept at least as long."""
        kept = timedelta(days=delivered) if delivered else None
        failed_kept = timedelta(days=failed) if failed else None
        if kept is None or failed_kept is None:
            return cls(kept, None if kept is None else failed_kept)
        return cls(kept, max(kept, failed_kept))

    @property
    def off(self) -> bool:
        return self.delivered is None and self.failed is None

    def cutoffs(self, now: datetime) -> dict[str, datetime]:
        """Status → deliveries of that status that finished before this are pruned."""
        ages = {"succeeded": self.delivered, "failed": self.failed}
        return {status: now - age for status, age in ages.items() if age is not None}


def _days(environ: Mapping[str, str], name: str, default: int) -> int:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        log.warning("%s=%r is not a whole number of days; using %s", name, text, default)
        return default
    return value


def configured_retention(environ: Mapping[str, str] | None = None) -> Retention:
    """The retention from the environment (see the module docstring)."""
    env = os.environ if environ is None else environ
    return Retention.days(
        _days(env, RETENTION_ENV, DEFAULT_RETENTION_DAYS),
        _days(env, FAILED_RETENTION_ENV, DEFAULT_FAILED_RETENTION_DAYS),
    )


def _prunable(status: str, cutoff: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(DELIVERY.c.status == status, DELIVERY.c.finished_at < cutoff)


def prune_batch(
    engine: sa.Engine,
    retention: Retention,
    *,
    now: datetime | None = None,
    batch: int = PRUNE_BATCH,
) -> int:
    """Delete at most ``batch`` prunable deliveries with their attempts, in one
    transaction; returns how many deliveries went (fewer than ``batch``: none are left)."""
    cutoffs = retention.cutoffs(now or utcnow())
    if not cutoffs:
        return 0
    with write_transaction(engine) as conn:
        ids: list[int] = []
        for status, cutoff in cutoffs.items():
            if len(ids) >= batch:
                break
            ids += conn.execute(
                sa.select(DELIVERY.c.id).where(_prunable(status, cutoff)).limit(batch - len(ids))
            ).scalars()
        if not ids:
            return 0
        conn.execute(ATTEMPT.delete().where(ATTEMPT.c.delivery_id.in_(ids)))
        conn.execute(
            DELIVERY.delete().where(DELIVERY.c.id.in_(ids), DELIVERY.c.status.in_(list(cutoffs)))
        )
    return len(ids)


def prune_deliveries(
    engine: sa.Engine,
    retention: Retention | None = None,
    *,
    now: datetime | None = None,
    batch: int = PRUNE_BATCH,
) -> int:
    """Delete every prunable delivery, batch after batch; returns how many went."""
    retention = configured_retention() if retention is None else retention
    now = now or utcnow()
    total = 0
    while (deleted := prune_batch(engine, retention, now=now, batch=batch)) > 0:
        total += deleted
        if deleted < batch:
            break
    return total


def count_prunable(
    engine: sa.Engine, retention: Retention, *, now: datetime | None = None
) -> dict[str, int]:
    """Status → how many deliveries a prune would delete now (for ``--dry-run``)."""
    counts = {}
    with read_transaction(engine) as conn:
        for status, cutoff in retention.cutoffs(now or utcnow()).items():
            query = sa.select(sa.func.count()).select_from(DELIVERY)
            counts[status] = int(conn.execute(query.where(_prunable(status, cutoff))).scalar_one())
    return counts


def claim_prune_run(
    engine: sa.Engine, *, now: datetime | None = None, interval: timedelta = PRUNE_INTERVAL
) -> bool:
    """True for exactly one caller per ``interval`` among all processes: the last run's
    start is kept in ``kairos_webhook_setting`` and replaced by compare-and-set."""
    now = now or utcnow()
    with read_transaction(engine) as conn:  # the usual answer ("not yet") takes no lock
        last = conn.execute(
            sa.select(SETTING.c.value).where(SETTING.c.key == PRUNED_AT_KEY)
        ).scalar()
    if last is not None and not _due(last, now, interval):
        return False
    stamp = now.isoformat()
    try:
        with write_transaction(engine) as conn:
            if last is None:
                conn.execute(SETTING.insert(), {"key": PRUNED_AT_KEY, "value": stamp})
                return True
            won = conn.execute(
                SETTING.update()
                .where(SETTING.c.key == PRUNED_AT_KEY, SETTING.c.value == last)
                .values(value=stamp)
            ).rowcount
            return bool(won == 1)
    except sa.exc.IntegrityError:  # another process inserted the first stamp meanwhile
        return False


def _due(last: str, now: datetime, interval: timedelta) -> bool:
    try:
        started = datetime.fromisoformat(last)
    except ValueError:
        return True  # unreadable: take it over
    # A stamp from the future (a clock that was wrong) must not block pruning for ever.
    return started <= now - interval or started > now + interval


@dataclass
class _PumpState:
    lock: threading.Lock
    next_check: float = 0.0
    retention: Retention | None = None  # set while a run drains
    deleted: int = 0  # by the run that drains


_STATES: weakref.WeakKeyDictionary[sa.Engine, _PumpState] = weakref.WeakKeyDictionary()
_STATES_LOCK = threading.Lock()


def _state(engine: sa.Engine) -> _PumpState:
    with _STATES_LOCK:
        if engine not in _STATES:
            _STATES[engine] = _PumpState(threading.Lock())
        return _STATES[engine]


def prune_pump(engine: sa.Engine, *, now: datetime | None = None) -> int:
    """The worker pump: one batch per round while a run drains; a run starts when this
    process has not looked for ``CHECK_SECONDS`` and ``claim_prune_run`` agrees. Returns
    the deliveries deleted (0 lets an idle worker sleep)."""
    state = _state(engine)
    if not state.lock.acquire(blocking=False):
        return 0  # another thread of this process is on it
    try:
        if state.retention is None:
            if time.monotonic() < state.next_check:
                return 0
            state.next_check = time.monotonic() + CHECK_SECONDS
            retention = configured_retention()
            if retention.off or not claim_prune_run(engine, now=now):
                return 0
            state.retention, state.deleted = retention, 0
        try:
            deleted = prune_batch(engine, state.retention, now=now, batch=PRUNE_BATCH)
        except Exception:
            state.retention = None  # try again at the next check, not every round
            raise
        state.deleted += deleted
        if deleted < PRUNE_BATCH:
            state.retention = None
            if state.deleted:
                log.info("pruned %s webhook deliveries past their retention", state.deleted)
        return deleted
    finally:
        state.lock.release()
