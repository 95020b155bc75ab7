"""Audit trail and outbox events: written with the change, never without it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from runtime.records import RecordService, RecordValidationError


def _outbox(service: RecordService) -> list[dict]:
    outbox = service.tables.system["kairos_outbox"]
    with service.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(outbox).order_by(outbox.c.id)).mappings()]


def test_history_reads_old_to_new_per_field(service: RecordService, people, make_customer):
    wang = people.actors["wang"].via("api")
    customer = make_customer(region="east", owner_id=people.users["wang"])
    service.update(wang, "customer", customer["id"], {"region": "west", "credit_limit": "9"})
    service.delete(people.actors["admin"], "customer", customer["id"])
    service.restore(people.actors["admin"], "customer", customer["id"])
    history = service.history(people.actors["admin"], "customer", customer["id"])
    assert [e.action for e in history] == ["create", "update", "delete", "restore"]
    created, updated = history[0], history[1]
    assert created.changes["region"] == [None, "east"]
    assert updated.changes == {"region": ["east", "west"], "credit_limit": [None, "9.00"]}
    assert updated.actor_name == "王经理" and updated.channel == "api"
    assert updated.actor_id == people.users["wang"]
    assert history[2].changes["deleted_at"][0] is None
    assert history[0].as_dict()["action"] == "create"


def test_history_masks_masked_fields(service: RecordService, people, make_customer):
    customer = make_customer(phone="13812345678")
    history = service.history(people.actors["zhang"], "customer", customer["id"])
    assert history[0].changes["phone"] == [None, "138****5678"]


def test_child_changes_are_summarised(service: RecordService, admin, make_customer):
    customer = make_customer()
    opp = service.create(
        admin, "opportunity", {"name": "A", "customer": customer["id"], "lines": [{"product": "x"}]}
    )
    service.update(admin, "opportunity", opp["id"], {"lines": [{"product": "y"}]})
    entry = service.history(admin, "opportunity", opp["id"])[-1]
    added = entry.changes["lines"]["added"]
    assert entry.changes["lines"] == {
        "added": added,
        "updated": [],
        "removed": [opp["lines"][0]["id"]],
    }


def test_outbox_events_carry_record_changes_actor_and_channel(service, admin, make_customer):
    customer = make_customer(region="east")
    service.update(admin, "customer", customer["id"], {"region": "west"})
    service.delete(admin, "customer", customer["id"])
    service.restore(admin, "customer", customer["id"])
    events = [e for e in _outbox(service) if e["record_id"] == customer["id"]]
    assert [e["topic"] for e in events] == [
        "record.created",
        "record.updated",
        "record.deleted",
        "record.restored",
    ]
    updated = events[1]["payload"]
    assert updated["changes"] == {"region": {"old": "east", "new": "west"}}
    assert updated["record"]["region"] == "west"
    assert updated["actor_id"] == admin.user_id and updated["channel"] == "ui"
    assert updated["table"] == "customer" and updated["app"] == "crm"


def test_no_event_and_no_audit_when_the_write_fails(service, admin, make_customer, monkeypatch):
    make_customer(name="dup")
    before = len(_outbox(service))
    with pytest.raises(RecordValidationError):
        make_customer(name="dup")
    from runtime.records import _insert as insert_module

    real_log = insert_module._log_created

    def log_then_fail(*args, **kwargs):
        real_log(*args, **kwargs)  # the audit entry and the event row are written ...
        raise RuntimeError("crash after the event")  # ... and the transaction dies

    monkeypatch.setattr(insert_module, "_log_created", log_then_fail)
    with pytest.raises(RuntimeError):
        make_customer(name="doomed")
    monkeypatch.undo()
    assert len(_outbox(service)) == before
    assert service.count(admin, "customer") == 1
    audit = service.tables.system["kairos_audit"]
    with service.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(audit)).scalar() == 1


def test_bulk_atomic_rolls_everything_back(service, admin):
    result = service.bulk_create(admin, "customer", [{"name": "a"}, {"name": None}, {"name": "c"}])
    assert result.created == [] and set(result.errors) == {1}
    assert service.count(admin, "customer") == 0
    assert _outbox(service) == []
