"""``bulk_update``: many records changed in one transaction, with the errors ``update``
gives keyed by row index; atomic changes all or none, per-row keeps the good rows."""

from __future__ import annotations

from runtime.records import RecordConflict, RecordNotFound, RecordService, RecordValidationError


def _customers(make_customer, n: int) -> list[dict]:
    return [make_customer(region="east") for _ in range(n)]


def test_atomic_bulk_update_changes_every_row_or_none(service: RecordService, admin, make_customer):
    first, second, third = _customers(make_customer, 3)
    rows = [
        {"id": first["id"], "region": "south"},
        {"id": second["id"], "credit_limit": "lots"},
        {"id": 999_999, "region": "north"},
        {"id": third["id"], "region": "north", "row_version": 7},
    ]
    result = service.bulk_update(admin, "customer", rows)
    assert result.updated == []
    assert sorted(result.errors) == [1, 2, 3]
    assert isinstance(result.errors[1], RecordValidationError)
    assert isinstance(result.errors[2], RecordNotFound)
    assert isinstance(result.errors[3], RecordConflict)
    assert service.get(admin, "customer", first["id"])["region"] == "east"
    assert len(service.history(admin, "customer", first["id"])) == 1


def test_per_row_bulk_update_keeps_the_good_rows(service: RecordService, admin, make_customer):
    first, second = _customers(make_customer, 2)
    rows = [
        {"id": first["id"], "region": "south", "row_version": 1},
        {"id": second["id"], "credit_limit": "lots"},
        "not a record",
    ]
    result = service.bulk_update(admin, "customer", rows, atomic=False)
    assert result.updated == [first["id"]]
    assert sorted(result.errors) == [1, 2]
    changed = service.get(admin, "customer", first["id"])
    assert (changed["region"], changed["row_version"]) == ("south", 2)
    assert service.get(admin, "customer", second["id"])["row_version"] == 1


def test_bulk_update_obeys_row_scope(service: RecordService, people, admin, make_customer):
    customer = make_customer(region="east")
    zhang, li = people.actors["zhang"], people.actors["li"]
    mine = service.create(zhang, "opportunity", {"name": "张的", "customer": customer["id"]})
    theirs = service.create(li, "opportunity", {"name": "李的", "customer": customer["id"]})
    rows = [{"id": mine["id"], "name": "张的2"}, {"id": theirs["id"], "name": "hijack"}]
    result = service.bulk_update(zhang, "opportunity", rows, atomic=False)
    assert result.updated == [mine["id"]]
    assert isinstance(result.errors[1], RecordNotFound)
    assert service.get(admin, "opportunity", theirs["id"])["name"] == "李的"
