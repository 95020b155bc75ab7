"""Worker threads: poll the job queue, the outbox and other registered pumps.

The web process starts ``JOB_WORKERS`` of them (default 2; 0 when testing, where tests
call ``run_pending`` / ``dispatch_outbox`` themselves); ``kairos worker`` runs the same
loop in a process of its own. All claims are atomic, so any number of workers in any
number of processes can run side by side.

A pool stops when its engine is disposed: the engine belongs to the app, and an app whose
connections were closed (shutdown, end of a test) should not keep polling.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import sqlalchemy as sa

from runtime.jobs import _store
from runtime.jobs._runner import registered_kinds, run_claimed
from runtime.jobs.outbox import dispatch_outbox

log = logging.getLogger("kairos.jobs")

Pump = Callable[[sa.Engine], int]
_PUMPS: dict[str, Pump] = {}
POLL_SECONDS = 1.0
RECOVER_SECONDS = 30.0


def register_pump(name: str, pump: Pump) -> None:
    """Call ``pump(engine)`` on every worker round; it returns how much work it did
    (0 lets the worker sleep). Webhook delivery is one: see runtime.webhooks."""
    _PUMPS[name] = pump


def work_once(engine: sa.Engine, worker: str) -> int:
    """One round: dispatch due outbox events, run the pumps, then run one job."""
    done = dispatch_outbox(engine)
    for name, pump in sorted(_PUMPS.items()):
        try:
            done += pump(engine)
        except Exception:
            log.exception("pump %s failed", name)
    job = _store.claim_next(engine, registered_kinds(), worker)
    if job is not None:
        run_claimed(engine, job, worker)
        done += 1
    return done


class WorkerPool:
    """``count`` daemon threads running ``work_once`` until ``stop()``."""

    def __init__(self, engine: sa.Engine, count: int, *, poll: float = POLL_SECONDS) -> None:
        self.engine = engine
        self.poll = poll
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._loop, args=(n,), daemon=True, name=f"kairos-worker-{n}")
            for n in range(count)
        ]
        sa.event.listen(engine, "engine_disposed", self._on_dispose)

    def start(self) -> WorkerPool:
        for thread in self._threads:
            thread.start()
        return self

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        for thread in self._threads:
            if thread.is_alive() and thread is not threading.current_thread():
                thread.join(timeout)

    def _on_dispose(self, _engine: sa.Engine) -> None:
        self._stop.set()  # threads notice within one poll; dispose must not block on them

    def _loop(self, number: int) -> None:
        worker = _store.worker_name()
        next_recovery = 0.0
        self._stop.wait(self.poll)  # let the app finish starting (tables, registrations)
        while not self._stop.is_set():
            pool = self.engine.pool
            try:
                if number == 0 and time.monotonic() >= next_recovery:
                    _store.recover_stale(self.engine)
                    next_recovery = time.monotonic() + RECOVER_SECONDS
                busy = work_once(self.engine, worker) > 0
            except Exception:  # database away, schema missing …: log, wait, try again
                log.exception("worker round failed")
                busy = False
            if self.engine.pool is not pool:
                # The engine was disposed mid-round: the connection this round used went
                # back to the old, already emptied pool; close it there, not at GC time.
                pool.dispose()
            if not busy:
                self._stop.wait(self.poll)


def start_workers(engine: sa.Engine, count: int) -> WorkerPool | None:
    """Start ``count`` worker threads (None when count is 0)."""
    if count <= 0:
        return None
    return WorkerPool(engine, count).start()
