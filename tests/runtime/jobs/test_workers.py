"""Worker threads run jobs, the outbox and pumps in the background and stop cleanly."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

from runtime.jobs import get_job, register, register_pump, start_workers, submit
from runtime.jobs.workers import WorkerPool


def _wait_for(check: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_worker_threads_run_submitted_jobs_and_pumps(jobs_engine: sa.Engine) -> None:
    pumped: list[int] = []
    register("double", lambda _ctx, payload: {"value": payload["value"] * 2})
    register_pump("count", lambda _engine: pumped.append(1) and 0)
    pool = start_workers(jobs_engine, 2)
    assert isinstance(pool, WorkerPool)
    try:
        job_id = submit(jobs_engine, kind="double", payload={"value": 21}, app_key="crm", user_id=1)
        _wait_for(lambda: get_job(jobs_engine, job_id)["status"] == "succeeded")
        assert get_job(jobs_engine, job_id)["result"] == {"value": 42}
        assert pumped
    finally:
        pool.stop()
    assert not pool.running


def test_no_workers_when_the_count_is_zero(jobs_engine: sa.Engine) -> None:
    assert start_workers(jobs_engine, 0) is None


def test_disposing_the_engine_stops_the_pool(jobs_engine: sa.Engine) -> None:
    pool = WorkerPool(jobs_engine, 1, poll=0.05).start()
    assert pool.running
    jobs_engine.dispose()
    _wait_for(lambda: not pool.running, timeout=5)
