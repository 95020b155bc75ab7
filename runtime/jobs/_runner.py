"""Job kinds, the context a handler gets, and running claimed jobs in the current thread."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from runtime.jobs import _store
from runtime.jobs._files import save_job_file

log = logging.getLogger("kairos.jobs")

Handler = Callable[["JobContext", dict[str, Any]], "dict[str, Any] | None"]
_HANDLERS: dict[str, Handler] = {}
_LABELS: dict[str, dict[str, str]] = {}
HEARTBEAT_SECONDS = 30.0
PROGRESS_SECONDS = 0.5
"""Progress is written at most this often (a 10,000-row import reports per row)."""


def register(kind: str, handler: Handler, *, label: dict[str, str] | None = None) -> None:
    """Make ``kind`` runnable in this process. Registering a kind again replaces its
    handler (modules may be reloaded); workers only claim kinds registered here.
    ``label`` ({"zh-CN": …, "en": …}) titles the job's page, e.g. 导入客户."""
    _HANDLERS[kind] = handler
    if label is not None:
        _LABELS[kind] = dict(label)


def kind_label(kind: str) -> dict[str, str] | None:
    return _LABELS.get(kind)


def registered_kinds() -> frozenset[str]:
    return frozenset(_HANDLERS)


class JobContext:
    """What a handler may do with its job: report progress, notice a cancel request and
    keep result files. Progress and the cancel flag are throttled database round trips."""

    def __init__(
        self, engine: sa.Engine, job_id: int, app_key: str, user_id: int | None, worker: str
    ) -> None:
        self.engine = engine
        self.job_id = job_id
        self.app_key = app_key
        self.user_id = user_id
        self._worker = worker
        self._progress: dict[str, Any] = {}
        self._written_at = 0.0
        self._checked_at = 0.0
        self._cancelled = False

    def progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """``done`` of ``total`` units; the message is shown under the progress bar."""
        self._progress["done"] = int(done)
        if total is not None:
            self._progress["total"] = int(total)
        if message is not None:
            self._progress["message"] = message[:500]
        finished = total is not None and done >= total
        if finished or time.monotonic() - self._written_at >= PROGRESS_SECONDS:
            self.flush()

    def flush(self) -> None:
        _store.heartbeat(self.engine, self.job_id, self._worker, **self._progress)
        self._written_at = time.monotonic()

    def cancelled(self) -> bool:
        """True once someone asked to cancel the job; the handler should then stop."""
        if not self._cancelled and time.monotonic() - self._checked_at >= PROGRESS_SECONDS:
            self._cancelled = _store.cancel_requested(self.engine, self.job_id)
            self._checked_at = time.monotonic()
        return self._cancelled

    def save_file(self, name: str, data: bytes) -> str:
        """Keep ``data`` with the job as ``name`` (downloadable at /jobs/<id>/files/<name>)."""
        return save_job_file(self.job_id, name, data)

    @property
    def pending_progress(self) -> dict[str, Any]:
        return dict(self._progress)


def run_pending(engine: sa.Engine, *, limit: int | None = None) -> int:
    """Run queued jobs of the registered kinds in this thread until none is left (or
    ``limit`` ran); returns how many ran. Tests and ``kairos worker --once`` use it."""
    worker = _store.worker_name()
    ran = 0
    while limit is None or ran < limit:
        job = _store.claim_next(engine, registered_kinds(), worker)
        if job is None:
            break
        run_claimed(engine, job, worker)
        ran += 1
    return ran


def run_claimed(engine: sa.Engine, job: dict[str, Any], worker: str) -> str:
    """Run one claimed job to its end and store the outcome; returns the final status."""
    ctx = JobContext(engine, int(job["id"]), job["app_key"], job["user_id"], worker)
    stop = threading.Event()
    beat = threading.Thread(
        target=_beat, args=(engine, ctx.job_id, worker, stop), daemon=True, name="job-heartbeat"
    )
    beat.start()
    try:
        result = _HANDLERS[job["kind"]](ctx, dict(job["payload"] or {}))
    except Exception as exc:  # a failing handler fails its job, never the worker
        log.exception("job %s (%s) failed", ctx.job_id, job["kind"])
        status, values = "failed", {"error": str(exc)[:4000] or type(exc).__name__}
    else:
        status = "cancelled" if ctx._cancelled or ctx.cancelled() else "succeeded"
        values = {"result": result}
        try:
            json.dumps(result)
        except (TypeError, ValueError):
            status, values = "failed", {"error": f"result is not JSON: {result!r}"[:4000]}
    finally:
        stop.set()
        beat.join()
    _store.finish(engine, ctx.job_id, worker, status, **ctx.pending_progress, **values)
    return status


def _beat(engine: sa.Engine, job_id: int, worker: str, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            _store.heartbeat(engine, job_id, worker)
        except Exception:  # the database is briefly away: the next beat retries
            log.exception("heartbeat of job %s failed", job_id)
