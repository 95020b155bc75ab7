"""``on_delete: cascade``: records owned by a deleted record go to the recycle bin with it
and come back with it; the audit entries say which."""

from __future__ import annotations

import pytest

from runtime.records import RecordService, RecordValidationError


@pytest.fixture
def opportunity(service: RecordService, admin, make_customer):
    customer = make_customer()
    return service.create(admin, "opportunity", {"name": "华为云", "customer": customer["id"]})


def _activities(service: RecordService, admin, opportunity_id: int) -> list[int]:
    where = {"field": "opportunity", "op": "eq", "value": opportunity_id}
    return [r["id"] for r in service.query(admin, "activity", where=where).rows]


def test_delete_cascades_and_restore_brings_them_back(
    service: RecordService, admin, opportunity, clock
):
    first = service.create(admin, "activity", {"subject": "拜访", "opportunity": opportunity["id"]})
    second = service.create(
        admin, "activity", {"subject": "演示", "opportunity": opportunity["id"]}
    )
    service.delete(admin, "activity", second["id"])  # already in the bin: stays there
    service.delete(admin, "opportunity", opportunity["id"])
    assert _activities(service, admin, opportunity["id"]) == []
    entry = service.history(admin, "opportunity", opportunity["id"])[-1]
    assert entry.action == "delete"
    assert entry.changes["cascade"] == {"activity": [first["id"]]}
    own = service.history(admin, "activity", first["id"])[-1]
    assert own.action == "delete"
    assert own.changes["deleted_with"] == {"table": "opportunity", "id": opportunity["id"]}

    clock.now = clock.now.replace(hour=5)
    service.restore(admin, "opportunity", opportunity["id"])
    assert _activities(service, admin, opportunity["id"]) == [first["id"]]
    entry = service.history(admin, "opportunity", opportunity["id"])[-1]
    assert entry.action == "restore"
    assert entry.changes["cascade"] == {"activity": [first["id"]]}
    assert entry.changes["deleted_at"][1] is None
    assert entry.changes["deleted_at"][0].startswith("2026-03-01T02:00")  # when it was deleted
    assert service.get(admin, "opportunity", opportunity["id"])["activity_count"] == 1
    bin_ids = [r["id"] for r in service.list_deleted(admin, "activity").rows]
    assert bin_ids == [second["id"]]


def test_cascade_needs_only_the_parents_delete_right(service: RecordService, people, make_customer):
    """Records owned by the deleted record go with it whoever created them."""
    zhang, wang = people.actors["zhang"], people.actors["wang"]
    customer = make_customer()
    mine = service.create(zhang, "opportunity", {"name": "张的", "customer": customer["id"]})
    service.create(zhang, "activity", {"subject": "x", "opportunity": mine["id"]})
    service.delete(wang, "opportunity", mine["id"])  # wang has no right on activities
    assert service.count(people.actors["admin"], "activity") == 0


def test_cascaded_restore_fails_whole_when_a_unique_value_was_taken(
    service: RecordService, admin, opportunity
):
    values = {"subject": "拜访", "ref": "R-1", "opportunity": opportunity["id"]}
    service.create(admin, "activity", values)
    service.delete(admin, "opportunity", opportunity["id"])
    other = service.create(
        admin, "opportunity", {"name": "其他", "customer": opportunity["customer"]}
    )
    service.create(admin, "activity", {**values, "opportunity": other["id"]})
    with pytest.raises(RecordValidationError) as caught:
        service.restore(admin, "opportunity", opportunity["id"])
    assert caught.value.codes() == {"ref": ["unique"]}
    assert service.list_deleted(admin, "opportunity").rows[0]["id"] == opportunity["id"]


def test_restrict_still_refuses(service: RecordService, admin, opportunity):
    with pytest.raises(RecordValidationError) as caught:
        service.delete(admin, "customer", opportunity["customer"])
    assert caught.value.codes() == {None: ["still_referenced"]}
