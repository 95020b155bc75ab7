"""The outbox dispatcher: every event reaches every consumer once, failures retry with
back-off without re-running consumers that succeeded, and two dispatchers never share."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from runtime.db import write_transaction
from runtime.jobs import dispatch_outbox, register_consumer
from runtime.jobs._tables import OUTBOX, OUTBOX_RECEIPT, utcnow
from runtime.jobs.outbox import MAX_ATTEMPTS, retry_delay
from runtime.records._outbox import event_row
from runtime.records.actor import Actor
from tests.runtime.jobs.conftest import twin_engine


def _events(engine: sa.Engine, count: int) -> list[int]:
    rows = [
        event_row(
            app_key="crm",
            table_key="customer",
            record_id=n,
            topic="record.created",
            record={"id": n, "name": f"客户{n}"},
            actor=Actor.system(),
            at=utcnow(),
        )
        for n in range(1, count + 1)
    ]
    with write_transaction(engine) as conn:
        conn.execute(OUTBOX.insert(), rows)
        return list(conn.execute(sa.select(OUTBOX.c.id).order_by(OUTBOX.c.id)).scalars())


def _outbox(engine: sa.Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(OUTBOX).order_by(OUTBOX.c.id)).mappings()]


def test_nothing_is_consumed_while_no_consumer_is_registered(jobs_engine: sa.Engine) -> None:
    _events(jobs_engine, 2)
    assert dispatch_outbox(jobs_engine) == 0
    assert all(e["processed_at"] is None for e in _outbox(jobs_engine))


def test_every_event_reaches_every_consumer_once(jobs_engine: sa.Engine) -> None:
    ids = _events(jobs_engine, 3)
    seen: dict[str, list[int]] = {"a": [], "b": []}
    register_consumer("a", lambda _conn, event: seen["a"].append(event["id"]))
    register_consumer("b", lambda _conn, event: seen["b"].append(event["payload"]["id"]))
    assert dispatch_outbox(jobs_engine) == 3
    assert dispatch_outbox(jobs_engine) == 0
    assert seen == {"a": ids, "b": [1, 2, 3]}
    assert all(e["processed_at"] is not None and e["attempts"] == 0 for e in _outbox(jobs_engine))


def test_a_consumers_writes_commit_with_the_processed_mark(jobs_engine: sa.Engine) -> None:
    _events(jobs_engine, 1)

    def writes_then_fails(conn: sa.Connection, event: dict[str, Any]) -> None:
        conn.execute(
            OUTBOX_RECEIPT.insert(),
            {"consumer": "side-effect", "event_id": event["id"], "handled_at": utcnow()},
        )
        raise RuntimeError("target table missing")

    register_consumer("fragile", writes_then_fails)
    dispatch_outbox(jobs_engine)
    with jobs_engine.connect() as conn:
        consumers = conn.execute(sa.select(OUTBOX_RECEIPT.c.consumer)).scalars().all()
    assert consumers == []  # the failed handler's own write was rolled back with it


def test_a_failing_consumer_is_retried_with_back_off_alone(jobs_engine: sa.Engine) -> None:
    _events(jobs_engine, 1)
    calls = {"ok": 0, "flaky": 0}

    def ok(_conn: sa.Connection, _event: dict[str, Any]) -> None:
        calls["ok"] += 1

    def flaky(_conn: sa.Connection, _event: dict[str, Any]) -> None:
        calls["flaky"] += 1
        if calls["flaky"] < 3:
            raise RuntimeError(f"boom {calls['flaky']}")

    register_consumer("ok", ok)
    register_consumer("flaky", flaky)
    start = utcnow()
    assert dispatch_outbox(jobs_engine, now=start) == 1
    [event] = _outbox(jobs_engine)
    assert event["processed_at"] is None and event["attempts"] == 1
    assert event["last_error"] == "flaky: boom 1"
    assert event["available_at"] == start + timedelta(seconds=30)
    assert dispatch_outbox(jobs_engine, now=start + timedelta(seconds=10)) == 0  # not yet due
    assert dispatch_outbox(jobs_engine, now=start + timedelta(seconds=31)) == 1
    [event] = _outbox(jobs_engine)
    assert event["attempts"] == 2 and event["available_at"] == start + timedelta(seconds=91)
    assert dispatch_outbox(jobs_engine, now=start + timedelta(minutes=5)) == 1
    [event] = _outbox(jobs_engine)
    assert event["processed_at"] is not None and event["last_error"] is None
    assert calls == {"ok": 1, "flaky": 3}  # "ok" did not run again on the retries


def test_retry_delay_doubles_up_to_an_hour() -> None:
    delays = [retry_delay(n).total_seconds() for n in range(1, 10)]
    assert delays[:5] == [30, 60, 120, 240, 480]
    assert delays[-1] == 3600


def test_an_event_is_given_up_after_max_attempts(jobs_engine: sa.Engine) -> None:
    _events(jobs_engine, 1)

    def always(_conn: sa.Connection, _event: dict[str, Any]) -> None:
        raise RuntimeError("never")

    register_consumer("always", always)
    when = utcnow()
    for _ in range(MAX_ATTEMPTS):
        assert dispatch_outbox(jobs_engine, now=when) == 1
        when += timedelta(hours=2)
    [event] = _outbox(jobs_engine)
    assert event["processed_at"] is not None and event["last_error"] == "always: never"
    assert dispatch_outbox(jobs_engine, now=when) == 0


def test_two_dispatchers_never_hand_out_the_same_event(jobs_engine: sa.Engine) -> None:
    ids = _events(jobs_engine, 60)
    seen: list[int] = []
    lock = threading.Lock()

    def collect(_conn: sa.Connection, event: dict[str, Any]) -> None:
        with lock:
            seen.append(event["id"])

    register_consumer("collect", collect)
    other = twin_engine(jobs_engine)
    barrier = threading.Barrier(2)

    def drain(engine: sa.Engine) -> None:
        barrier.wait()
        while dispatch_outbox(engine, limit=7):
            pass

    threads = [threading.Thread(target=drain, args=(e,)) for e in (jobs_engine, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    other.dispose()
    assert sorted(seen) == ids
