"""Webhooks end to end: record events become signed POSTs to a local receiver, retried
with back-off, logged, filtered by events and conditions, and redeliverable."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta

import sqlalchemy as sa

from runtime.jobs._tables import utcnow
from runtime.org import USER
from runtime.records import Actor, RecordService
from runtime.webhooks import (
    DELIVERY,
    deliver_due,
    deliveries,
    get_webhook,
    redeliver,
    retry_delay,
    save_allowlist,
    signature,
)
from tests.runtime.jobs.conftest import twin_engine
from tests.runtime.webhooks.conftest import APP, Receiver, make_webhook, run_workers


def _customer(service: RecordService, admin: Actor, **values: object) -> dict:
    return service.create(admin, "customer", {"name": "华东精工", "region": "east", **values})


def test_a_created_record_is_posted_signed_with_the_full_record(
    hooks_engine: sa.Engine, service: RecordService, admin: Actor, receiver: Receiver
) -> None:
    hook_id = make_webhook(hooks_engine, receiver.url)
    record = _customer(service, admin, level="a")
    assert run_workers(hooks_engine) == 1
    [request] = receiver.requests
    secret = get_webhook(hooks_engine, hook_id, APP)["secret"]
    expected = hmac.new(secret.encode(), request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Kairos-Signature"] == f"sha256={expected}"
    assert request["headers"]["X-Kairos-Event"] == "record.created"
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert abs(int(request["headers"]["X-Kairos-Timestamp"]) - utcnow().timestamp()) < 60
    document = json.loads(request["body"])
    assert document["delivery_id"] == request["headers"]["X-Kairos-Delivery"]
    assert (document["event"], document["app"], document["table"]) == (
        "record.created",
        APP,
        "customer",
    )
    assert document["record"]["id"] == record["id"]
    assert document["record"]["name"] == "华东精工" and document["record"]["level"] == "a"
    with hooks_engine.connect() as conn:
        name = conn.execute(sa.select(USER.c.display_name).where(USER.c.id == admin.user_id))
        assert document["actor"] == {"id": admin.user_id, "name": name.scalar()}
    assert document["changes"] is None and document["occurred_at"]
    [delivery] = deliveries(hooks_engine, hook_id)
    assert (delivery["status"], delivery["attempts"], delivery["response_status"]) == (
        "succeeded",
        1,
        200,
    )
    [attempt] = delivery["attempts_log"]
    assert attempt["response_status"] == 200 and "收到" in attempt["response_body"]
    assert attempt["duration_ms"] >= 0 and attempt["error"] is None


def test_updates_carry_their_changes(
    hooks_engine: sa.Engine, service: RecordService, admin: Actor, receiver: Receiver
) -> None:
    record = _customer(service, admin, level="c")
    make_webhook(hooks_engine, receiver.url, events=["updated"])
    service.update(admin, "customer", record["id"], {"level": "b"})
    run_workers(hooks_engine)
    [document] = receiver.documents()
    assert document["event"] == "record.updated"
    assert document["changes"] == {"level": {"old": "c", "new": "b"}}
    assert document["record"]["level"] == "b"


def test_a_failing_receiver_is_retried_with_back_off_until_it_answers(
    hooks_engine: sa.Engine, service: RecordService, admin: Actor, receiver: Receiver
) -> None:
    hook_id = make_webhook(hooks_engine, receiver.url)
    receiver.statuses = [500, 503]
    _customer(service, admin)
    start = utcnow() + timedelta(seconds=1)
    run_workers(hooks_engine, now=start)
    [delivery] = deliveries(hooks_engine, hook_id)
    assert (delivery["status"], delivery["attempts"], delivery["last_error"]) == (
        "pending",
        1,
        "HTTP 500",
    )
    assert delivery["available_at"] == start + timedelta(seconds=30)
    assert deliver_due(hooks_engine, now=start + timedelta(seconds=29)) == 0
    assert deliver_due(hooks_engine, now=start + timedelta(seconds=30)) == 1
    [delivery] = deliveries(hooks_engine, hook_id)
    assert delivery["available_at"] == start + timedelta(seconds=30 + 120)
    assert deliver_due(hooks_engine, now=start + timedelta(minutes=3)) == 1
    [delivery] = deliveries(hooks_engine, hook_id)
    assert (delivery["status"], delivery["attempts"]) == ("succeeded", 3)
    assert [a["response_status"] for a in delivery["attempts_log"]] == [500, 503, 200]
    assert len(receiver.requests) == 3
    assert len({r["headers"]["X-Kairos-Delivery"] for r in receiver.requests}) == 1


def test_the_back_off_schedule_and_giving_up_after_max_attempts(
    hooks_engine: sa.Engine, service: RecordService, admin: Actor, receiver: Receiver
) -> None:
    assert [retry_delay(n) for n in range(1, 8)] == [
        timedelta(seconds=30),
        timedelta(minutes=2),
        timedelta(minutes=10),
        timedelta(hours=1),
        timedelta(hours=6),
        timedelta(hours=6),
        timedelta(hours=6),
    ]
    hook_id = make_webhook(hooks_engine, receiver.url, max_attempts=3)
    receiver.statuses = [500] * 10
    _customer(service, admin)
    when = utcnow() + timedelta(seconds=1)
    run_workers(hooks_engine, now=when)
    for _ in range(4):
        when += timedelta(hours=7)
        deliver_due(hooks_engine, now=when)
    [delivery] = deliveries(hooks_engine, hook_id)
    assert (delivery["status"], delivery["attempts"]) == ("failed", 3)
    assert delivery["finished_at"] is not None and len(receiver.requests) == 3


def test_an_unreachable_receiver_is_logged_as_an_error(
    hooks_engine: sa.Engine, service: RecordService, admin: Actor
) -> None:
    hook_id = make_webhook(hooks_engine, "http://127.0.0.1:9/nothing-listens")
    _customer(service, admin)
    run_workers(hooks_engine)
    [delivery] = deliveries(hooks_engine, hook_id)
    assert delivery["status"] == "pending" and delivery["response_status"] is None
    assert "Connection refused" in delivery["last_error"]
    assert delivery["attempts_log"][0]["error"] == delivery["last_error"]


def test_redirects_are_not_followed(
    hooks_engine: sa.Engine, service: RecordService, admin: Actor, receiver: Receiver
) -> None:
    hook_id = make_webhook(hooks_engine, receiver.url)
    receiver.statuses = [302]
    _customer(service, admin)
    run_workers(hooks_engine)
    [delivery] = deliveries(hooks_engine, hook_id)
    assert (delivery["status"], delivery["response_status"]) == ("pending", 302)


def test_events_conditions_and_the_active_flag_choose_what_is_sent(
    hooks_engine: sa.Engine, service: RecordService, admin: Actor, receiver: Receiver
) -> None:
    deletes = make_webhook(hooks_engine, receiver.url + "/deletes", events=["deleted"])
    level_a = make_webhook(
        hooks_engine,
        receiver.url + "/a",
        events=["created", "updated"],
        condition={"field": "level", "op": "eq", "value": "a"},
    )
    became_a = make_webhook(
        hooks_engine,
        receiver.url + "/became-a",
        events=["created", "updated"],
        condition={"field": "level", "op": "changed_to", "value": "a"},
    )
    make_webhook(hooks_engine, receiver.url + "/off", active=False)
    make_webhook(hooks_engine, receiver.url + "/other", table_key="contact")
    plain = _customer(service, admin, name="西南物流", level="c")
    starred = _customer(service, admin, name="北方重工", level="a")
    service.update(admin, "customer", plain["id"], {"level": "a"})  # c → a
    service.update(admin, "customer", starred["id"], {"phone": "13800138000"})  # stays a
    service.delete(admin, "customer", plain["id"])
    run_workers(hooks_engine)
    sent = sorted((r["path"], json.loads(r["body"])["event"]) for r in receiver.requests)
    assert sent == [
        ("/hook/a", "record.created"),  # starred created at level a
        ("/hook/a", "record.updated"),  # plain updated to a
        ("/hook/a", "record.updated"),  # starred updated, still a
        ("/hook/became-a", "record.created"),  # empty → a counts as changed to a
        ("/hook/became-a", "record.updated"),  # only plain's c → a
        ("/hook/deletes", "record.deleted"),
    ]
    assert {len(deliveries(hooks_engine, h)) for h in (deletes, level_a, became_a)} == {1, 2, 3}


def test_a_new_webhook_does_not_replay_older_events(
    hooks_engine: sa.Engine, service: RecordService, admin: Actor, receiver: Receiver
) -> None:
    _customer(service, admin)
    make_webhook(hooks_engine, receiver.url)
    run_workers(hooks_engine)
    assert receiver.requests == []


def test_redeliver_sends_a_fresh_copy(
    hooks_engine: sa.Engine, service: RecordService, admin: Actor, receiver: Receiver
) -> None:
    hook_id = make_webhook(hooks_engine, receiver.url, max_attempts=1)
    receiver.statuses = [500]
    _customer(service, admin)
    run_workers(hooks_engine)
    [failed] = deliveries(hooks_engine, hook_id)
    assert failed["status"] == "failed"
    again = redeliver(hooks_engine, failed["id"])
    run_workers(hooks_engine)
    newest, oldest = deliveries(hooks_engine, hook_id)
    assert oldest["id"] == failed["id"] and oldest["status"] == "failed"
    assert (newest["id"], newest["redelivery_of"], newest["status"]) == (
        again,
        failed["id"],
        "succeeded",
    )
    first, second = receiver.documents()
    assert first["delivery_id"] != second["delivery_id"] == newest["uid"]
    assert first["record"] == second["record"]
    secret = get_webhook(hooks_engine, hook_id, APP)["secret"]
    body = receiver.requests[1]["body"]
    assert receiver.requests[1]["headers"]["X-Kairos-Signature"] == signature(secret, body)


def test_the_allowlist_is_enforced_when_sending(
    hooks_engine: sa.Engine, service: RecordService, admin: Actor, receiver: Receiver
) -> None:
    hook_id = make_webhook(hooks_engine, receiver.url)
    save_allowlist(hooks_engine, "erp.example.com, 10.0.0.0/8")
    _customer(service, admin)
    run_workers(hooks_engine)
    [delivery] = deliveries(hooks_engine, hook_id)
    assert delivery["last_error"] == "target refused (not_allowed)"
    assert receiver.requests == []
    save_allowlist(hooks_engine, "127.0.0.0/8")
    deliver_due(hooks_engine, now=utcnow() + timedelta(minutes=1))
    assert len(receiver.requests) == 1


def test_two_workers_send_each_delivery_once(
    hooks_engine: sa.Engine, service: RecordService, admin: Actor, receiver: Receiver
) -> None:
    make_webhook(hooks_engine, receiver.url)
    make_webhook(hooks_engine, receiver.url + "/second")
    for n in range(12):
        _customer(service, admin, name=f"客户{n:02d}")
    other = twin_engine(hooks_engine)
    barrier = threading.Barrier(2)

    def work(engine: sa.Engine) -> None:
        barrier.wait()
        while run_workers(engine):
            pass

    threads = [threading.Thread(target=work, args=(e,)) for e in (hooks_engine, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    other.dispose()
    uids = [r["headers"]["X-Kairos-Delivery"] for r in receiver.requests]
    assert len(uids) == len(set(uids)) == 24
    with hooks_engine.connect() as conn:
        statuses = conn.execute(sa.select(DELIVERY.c.status).distinct()).scalars().all()
    assert statuses == ["succeeded"]
