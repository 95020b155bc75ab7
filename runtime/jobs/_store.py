"""Reading and writing ``kairos_job`` rows: submit, claim, heartbeat, finish, recover.

A claim is atomic on both backends, so however many workers (threads or processes) poll
the queue, each job is run by exactly one of them: PostgreSQL locks the candidate row with
``FOR UPDATE SKIP LOCKED`` (other workers skip it rather than wait); SQLite has no row
locks, so the claim is a compare-and-set ``UPDATE … WHERE id = ? AND status = 'queued'``
and a worker that loses the race (rowcount 0) simply tries the next candidate.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from runtime.db import is_postgres, read_transaction, write_transaction
from runtime.jobs._tables import JOB, utcnow

FINISHED = ("succeeded", "failed", "cancelled")
STALE_AFTER = timedelta(minutes=5)
"""A running job whose heartbeat is older than this lost its worker and is requeued."""
MAX_ATTEMPTS = 3
"""How often a job is started before a lost worker fails it instead of requeueing it."""
_PUBLIC = [
    "id",
    "kind",
    "status",
    "done",
    "total",
    "message",
    "result",
    "error",
    "user_id",
    "app_key",
    "created_at",
    "started_at",
    "finished_at",
    "payload",
    "attempts",
    "cancel_requested",
]


class JobNotFound(LookupError):
    """No job with that id."""


def worker_name() -> str:
    """Who holds a claim: host, process and thread, so a stuck claim can be traced."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{threading.get_ident()}"[:80]


def submit(
    engine: sa.Engine, *, kind: str, payload: dict[str, Any], app_key: str, user_id: int | None
) -> int:
    """Queue a job and return its id (committed: any worker may start it at once)."""
    with write_transaction(engine) as conn:
        return int(
            conn.execute(
                JOB.insert().returning(JOB.c.id),
                {
                    "app_key": app_key,
                    "kind": kind,
                    "payload": dict(payload),
                    "status": "queued",
                    "done": 0,
                    "user_id": user_id,
                    "created_at": utcnow(),
                    "attempts": 0,
                    "cancel_requested": False,
                },
            ).scalar_one()
        )


def get_job(engine: sa.Engine, job_id: int) -> dict[str, Any]:
    """The job's public fields (see ``_PUBLIC``); raises JobNotFound."""
    with read_transaction(engine) as conn:
        row = conn.execute(sa.select(JOB).where(JOB.c.id == job_id)).mappings().first()
    if row is None:
        raise JobNotFound(job_id)
    return {key: row[key] for key in _PUBLIC}


def list_jobs(
    engine: sa.Engine, *, app_key: str, user_id: int | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Newest jobs of an app first; only ``user_id``'s when given."""
    query = sa.select(JOB).where(JOB.c.app_key == app_key).order_by(JOB.c.id.desc()).limit(limit)
    if user_id is not None:
        query = query.where(JOB.c.user_id == user_id)
    with read_transaction(engine) as conn:
        return [{key: row[key] for key in _PUBLIC} for row in conn.execute(query).mappings()]


def claim_next(engine: sa.Engine, kinds: Collection[str], worker: str) -> dict[str, Any] | None:
    """Atomically take the oldest queued job of one of ``kinds``; None when there is none."""
    if not kinds:
        return None
    queued = sa.and_(JOB.c.status == "queued", JOB.c.kind.in_(sorted(kinds)))
    now = utcnow()
    started = {
        "status": "running",
        "claimed_by": worker,
        "started_at": now,
        "heartbeat_at": now,
        "attempts": JOB.c.attempts + 1,
    }
    if is_postgres(engine):
        with write_transaction(engine) as conn:
            job_id = conn.execute(
                sa.select(JOB.c.id)
                .where(queued)
                .order_by(JOB.c.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).scalar()
            if job_id is None:
                return None
            conn.execute(JOB.update().where(JOB.c.id == job_id).values(**started))
            return dict(conn.execute(sa.select(JOB).where(JOB.c.id == job_id)).mappings().one())
    with read_transaction(engine) as conn:  # cheap read first: no write lock while idle
        candidates = (
            conn.execute(sa.select(JOB.c.id).where(queued).order_by(JOB.c.id).limit(5))
            .scalars()
            .all()
        )
    for job_id in candidates:
        with write_transaction(engine) as conn:
            won = conn.execute(
                JOB.update().where(JOB.c.id == job_id, JOB.c.status == "queued").values(**started)
            ).rowcount
            if won == 1:
                return dict(conn.execute(sa.select(JOB).where(JOB.c.id == job_id)).mappings().one())
    return None


def heartbeat(engine: sa.Engine, job_id: int, worker: str, **values: Any) -> bool:
    """Refresh the claim (and store progress ``values``); False when the claim was lost."""
    with write_transaction(engine) as conn:
        return (
            conn.execute(
                JOB.update()
                .where(JOB.c.id == job_id, JOB.c.claimed_by == worker, JOB.c.status == "running")
                .values(heartbeat_at=utcnow(), **values)
            ).rowcount
            == 1
        )


def cancel_requested(engine: sa.Engine, job_id: int) -> bool:
    with read_transaction(engine) as conn:
        return bool(
            conn.execute(sa.select(JOB.c.cancel_requested).where(JOB.c.id == job_id)).scalar()
        )


def finish(engine: sa.Engine, job_id: int, worker: str, status: str, **values: Any) -> bool:
    """Record the outcome of a claimed job; False when another worker took it over."""
    with write_transaction(engine) as conn:
        return (
            conn.execute(
                JOB.update()
                .where(JOB.c.id == job_id, JOB.c.claimed_by == worker, JOB.c.status == "running")
                .values(status=status, finished_at=utcnow(), heartbeat_at=utcnow(), **values)
            ).rowcount
            == 1
        )


def cancel_job(engine: sa.Engine, job_id: int) -> str:
    """Cancel a queued job at once, or ask a running one to stop (its handler checks
    ``JobContext.cancelled()``). Returns the job's status afterwards."""
    with write_transaction(engine) as conn:
        conn.execute(
            JOB.update()
            .where(JOB.c.id == job_id, JOB.c.status == "queued")
            .values(status="cancelled", finished_at=utcnow(), cancel_requested=True)
        )
        conn.execute(
            JOB.update()
            .where(JOB.c.id == job_id, JOB.c.status == "running")
            .values(cancel_requested=True)
        )
        status = conn.execute(sa.select(JOB.c.status).where(JOB.c.id == job_id)).scalar()
    if status is None:
        raise JobNotFound(job_id)
    return str(status)


def recover_stale(engine: sa.Engine, *, now: datetime | None = None) -> int:
    """Requeue running jobs whose worker stopped sending heartbeats (process killed, host
    lost); a job already started MAX_ATTEMPTS times fails instead, so a job that crashes
    its worker cannot loop forever. Returns how many jobs were touched."""
    cutoff = (now or utcnow()) - STALE_AFTER
    stale = sa.and_(JOB.c.status == "running", JOB.c.heartbeat_at < cutoff)
    with write_transaction(engine) as conn:
        failed = conn.execute(
            JOB.update()
            .where(stale, JOB.c.attempts >= MAX_ATTEMPTS)
            .values(
                status="failed",
                finished_at=utcnow(),
                error="The worker running this job stopped responding too often.",
            )
        ).rowcount
        requeued = conn.execute(
            JOB.update()
            .where(stale, JOB.c.attempts < MAX_ATTEMPTS)
            .values(status="queued", claimed_by=None, heartbeat_at=None)
        ).rowcount
    return int(failed) + int(requeued)
