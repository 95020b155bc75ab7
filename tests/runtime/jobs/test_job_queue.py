"""Jobs: lifecycle, progress, failure, cancellation, files, stale claims, exactly-once."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from runtime.db import write_transaction
from runtime.jobs import (
    JOB,
    JobContext,
    JobNotFound,
    UnsafeFileName,
    _store,
    cancel_job,
    get_job,
    job_file,
    job_files,
    list_jobs,
    recover_stale,
    register,
    run_pending,
    submit,
)
from runtime.jobs._tables import utcnow
from tests.runtime.jobs.conftest import twin_engine


def _count(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    for n in range(1, payload["n"] + 1):
        ctx.progress(n, payload["n"], f"row {n}")
    return {"counted": payload["n"], "user": ctx.user_id, "app": ctx.app_key}


def test_a_job_runs_and_keeps_its_result_and_progress(jobs_engine: sa.Engine) -> None:
    register("count", _count)
    job_id = submit(jobs_engine, kind="count", payload={"n": 3}, app_key="crm", user_id=7)
    assert get_job(jobs_engine, job_id)["status"] == "queued"
    assert run_pending(jobs_engine) == 1
    job = get_job(jobs_engine, job_id)
    assert job["status"] == "succeeded"
    assert job["result"] == {"counted": 3, "user": 7, "app": "crm"}
    assert (job["done"], job["total"], job["message"]) == (3, 3, "row 3")
    assert job["started_at"] <= job["finished_at"]
    assert run_pending(jobs_engine) == 0
    assert [j["id"] for j in list_jobs(jobs_engine, app_key="crm", user_id=7)] == [job_id]
    assert list_jobs(jobs_engine, app_key="crm", user_id=8) == []


def test_an_exception_fails_the_job_with_its_message(jobs_engine: sa.Engine) -> None:
    def broken(_ctx: JobContext, _payload: dict[str, Any]) -> None:
        raise ValueError("第 3 行：金额不是数字")

    register("broken", broken)
    job_id = submit(jobs_engine, kind="broken", payload={}, app_key="crm", user_id=None)
    run_pending(jobs_engine)
    job = get_job(jobs_engine, job_id)
    assert (job["status"], job["error"]) == ("failed", "第 3 行：金额不是数字")


def test_a_result_that_is_not_json_fails_the_job(jobs_engine: sa.Engine) -> None:
    register("odd", lambda _ctx, _p: {"when": object()})
    job_id = submit(jobs_engine, kind="odd", payload={}, app_key="crm", user_id=None)
    run_pending(jobs_engine)
    job = get_job(jobs_engine, job_id)
    assert job["status"] == "failed" and "not JSON" in job["error"]


def test_unknown_kinds_are_left_for_a_process_that_knows_them(jobs_engine: sa.Engine) -> None:
    job_id = submit(jobs_engine, kind="elsewhere", payload={}, app_key="crm", user_id=None)
    assert run_pending(jobs_engine) == 0
    assert get_job(jobs_engine, job_id)["status"] == "queued"
    with pytest.raises(JobNotFound):
        get_job(jobs_engine, job_id + 1)


def test_cancelling_a_queued_job_means_it_never_runs(jobs_engine: sa.Engine) -> None:
    ran: list[int] = []
    register("noop", lambda ctx, _p: ran.append(ctx.job_id))
    job_id = submit(jobs_engine, kind="noop", payload={}, app_key="crm", user_id=None)
    assert cancel_job(jobs_engine, job_id) == "cancelled"
    assert run_pending(jobs_engine) == 0 and ran == []


def test_a_running_job_stops_when_cancelled(jobs_engine: sa.Engine) -> None:
    started = threading.Event()

    def patient(ctx: JobContext, _payload: dict[str, Any]) -> dict[str, Any]:
        started.set()
        n = 0
        while not ctx.cancelled() and n < 400:
            n += 1
            time.sleep(0.01)
        return {"stopped_after": n}

    register("patient", patient)
    job_id = submit(jobs_engine, kind="patient", payload={}, app_key="crm", user_id=None)
    runner = threading.Thread(target=run_pending, args=(jobs_engine,))
    runner.start()
    assert started.wait(5)
    assert cancel_job(jobs_engine, job_id) == "running"
    runner.join(10)
    job = get_job(jobs_engine, job_id)
    assert job["status"] == "cancelled"
    assert job["result"]["stopped_after"] < 400


def test_files_are_kept_per_job_under_safe_names(jobs_engine: sa.Engine) -> None:
    def export(ctx: JobContext, _payload: dict[str, Any]) -> dict[str, Any]:
        return {"file": ctx.save_file("商机导出.csv", "名称\n华东项目\n".encode())}

    register("export", export)
    job_id = submit(jobs_engine, kind="export", payload={}, app_key="crm", user_id=1)
    run_pending(jobs_engine)
    assert get_job(jobs_engine, job_id)["result"] == {"file": "商机导出.csv"}
    assert job_files(job_id) == ["商机导出.csv"]
    path = job_file(job_id, "商机导出.csv")
    assert path is not None and path.read_text(encoding="utf-8").startswith("名称")
    assert job_file(job_id, "../secret_key") is None
    assert job_file(job_id, "missing.csv") is None
    ctx = JobContext(jobs_engine, job_id, "crm", 1, "test")
    for bad in ("../x", "a/b", ".hidden", "", "x" * 121, "a\\b", "con\x00"):
        with pytest.raises(UnsafeFileName):
            ctx.save_file(bad, b"")


def test_a_lost_worker_is_detected_and_its_job_requeued_then_failed(
    jobs_engine: sa.Engine,
) -> None:
    register("noop", lambda _ctx, _p: None)
    job_id = submit(jobs_engine, kind="noop", payload={}, app_key="crm", user_id=None)
    for attempt in range(1, _store.MAX_ATTEMPTS + 1):
        claimed = _store.claim_next(jobs_engine, {"noop"}, "dead-worker")
        assert claimed is not None and claimed["attempts"] == attempt
        assert recover_stale(jobs_engine) == 0  # heartbeat is fresh
        later = utcnow() + _store.STALE_AFTER + timedelta(seconds=1)
        assert recover_stale(jobs_engine, now=later) == 1
    job = get_job(jobs_engine, job_id)
    assert job["status"] == "failed" and "stopped responding" in job["error"]
    # the dead worker's late outcome is ignored: its claim is gone
    assert not _store.finish(jobs_engine, job_id, "dead-worker", "succeeded")


def test_a_requeued_job_runs_again_elsewhere(jobs_engine: sa.Engine) -> None:
    register("noop", lambda _ctx, _p: {"ok": True})
    job_id = submit(jobs_engine, kind="noop", payload={}, app_key="crm", user_id=None)
    assert _store.claim_next(jobs_engine, {"noop"}, "dead-worker") is not None
    recover_stale(jobs_engine, now=utcnow() + _store.STALE_AFTER * 2)
    assert run_pending(jobs_engine) == 1
    job = get_job(jobs_engine, job_id)
    assert (job["status"], job["attempts"]) == ("succeeded", 2)


def test_each_job_runs_exactly_once_with_two_workers_on_two_engines(
    jobs_engine: sa.Engine,
) -> None:
    runs: list[int] = []
    lock = threading.Lock()

    def record(ctx: JobContext, _payload: dict[str, Any]) -> None:
        with lock:
            runs.append(ctx.job_id)
        time.sleep(0.002)

    register("record", record)
    ids = {
        submit(jobs_engine, kind="record", payload={"n": n}, app_key="crm", user_id=None)
        for n in range(40)
    }
    other = twin_engine(jobs_engine)
    counts: list[int] = []
    barrier = threading.Barrier(2)

    def work(engine: sa.Engine) -> None:
        barrier.wait()
        counts.append(run_pending(engine))

    threads = [threading.Thread(target=work, args=(e,)) for e in (jobs_engine, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    other.dispose()
    assert sorted(runs) == sorted(ids)  # every job once, none twice
    assert sum(counts) == 40
    with jobs_engine.connect() as conn:
        statuses = conn.execute(sa.select(JOB.c.status, sa.func.count()).group_by(JOB.c.status))
        assert dict(statuses.all()) == {"succeeded": 40}


def test_progress_after_losing_the_claim_is_not_written(jobs_engine: sa.Engine) -> None:
    job_id = submit(jobs_engine, kind="noop", payload={}, app_key="crm", user_id=None)
    assert _store.claim_next(jobs_engine, {"noop"}, "w1") is not None
    with write_transaction(jobs_engine) as conn:
        conn.execute(JOB.update().where(JOB.c.id == job_id).values(claimed_by="w2"))
    assert not _store.heartbeat(jobs_engine, job_id, "w1", done=5)
    assert get_job(jobs_engine, job_id)["done"] == 0
