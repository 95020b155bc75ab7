"""Bulk create (atomic and per row, preserved ids) and upsert by key."""

from __future__ import annotations

import pytest

from runtime.records import PermissionDenied, RecordService, RecordValidationError


def test_non_atomic_bulk_keeps_the_good_rows(service: RecordService, admin):
    result = service.bulk_create(
        admin,
        "customer",
        [
            {"name": "a"},
            {"name": None},
            {"name": "a"},
            {"name": "d", "credit_limit": "x"},
            {"name": "e"},
        ],
        atomic=False,
    )
    assert len(result.created) == 2 and set(result.errors) == {1, 2, 3}
    assert isinstance(result.errors[2], RecordValidationError)
    assert result.errors[2].codes() == {"name": ["unique"]}
    assert service.count(admin, "customer") == 2


def test_preserve_ids_for_admins_then_new_ids_continue(service: RecordService, admin, people):
    result = service.bulk_create(
        admin, "customer", [{"id": 100, "name": "x"}, {"id": 205, "name": "y"}], preserve_ids=True
    )
    assert result.created == [100, 205]
    assert service.get(admin, "customer", 205)["name"] == "y"
    assert service.create(admin, "customer", {"name": "z"})["id"] > 205
    with pytest.raises(PermissionDenied):
        service.bulk_create(
            people.actors["zhang"], "customer", [{"id": 1, "name": "q"}], preserve_ids=True
        )
    duplicate = service.bulk_create(
        admin, "customer", [{"id": 100, "name": "again"}], preserve_ids=True
    )
    assert duplicate.errors[0].codes() == {"id": ["duplicate_id"]}


def test_upsert_by_key(service: RecordService, admin):
    record, created = service.upsert(
        admin, "customer", ["name"], {"name": "华为", "region": "east"}
    )
    assert created and record["region"] == "east"
    again, created = service.upsert(admin, "customer", ["name"], {"name": "华为", "region": "west"})
    assert not created and again["id"] == record["id"] and again["region"] == "west"
    assert again["row_version"] == 2
    with pytest.raises(RecordValidationError) as caught:
        service.upsert(admin, "customer", ["name"], {"region": "x"})
    assert caught.value.codes() == {"name": ["upsert_key_missing"]}
