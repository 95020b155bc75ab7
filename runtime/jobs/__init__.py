"""Durable background jobs, the outbox dispatcher and the worker threads that run both.

Contract (docs/dev/data-contracts.md, "Jobs"; guide: docs/jobs.md)::

    register(kind, handler)                       # handler(ctx, payload) -> dict | None
    submit(engine, *, kind, payload, app_key, user_id) -> int
    get_job(engine, job_id) -> dict
    run_pending(engine, *, limit=None) -> int
    JobContext: engine, job_id, app_key, user_id, progress(), cancelled(), save_file()

Status goes ``queued → running → succeeded | failed | cancelled``.
"""

from __future__ import annotations

from runtime.jobs._files import UnsafeFileName, job_file, job_files
from runtime.jobs._runner import (
    JobContext,
    kind_label,
    register,
    registered_kinds,
    run_pending,
)
from runtime.jobs._store import (
    FINISHED,
    JobNotFound,
    cancel_job,
    get_job,
    list_jobs,
    recover_stale,
    submit,
)
from runtime.jobs._tables import JOB, ensure_job_tables
from runtime.jobs.outbox import dispatch_outbox, register_consumer
from runtime.jobs.workers import WorkerPool, register_pump, start_workers, work_once

__all__ = [
    "FINISHED",
    "JOB",
    "JobContext",
    "JobNotFound",
    "UnsafeFileName",
    "WorkerPool",
    "cancel_job",
    "dispatch_outbox",
    "ensure_job_tables",
    "get_job",
    "job_file",
    "job_files",
    "kind_label",
    "list_jobs",
    "recover_stale",
    "register",
    "register_consumer",
    "register_pump",
    "registered_kinds",
    "run_pending",
    "start_workers",
    "submit",
    "work_once",
]
