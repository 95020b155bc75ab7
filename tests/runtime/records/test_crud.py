"""Create, get, update, delete, restore: the happy paths and every way they refuse."""

from __future__ import annotations

from decimal import Decimal

import pytest

from runtime import org
from runtime.db import write_transaction
from runtime.records import (
    RecordConflict,
    RecordNotFound,
    RecordService,
    RecordValidationError,
)


def test_create_returns_json_values_and_system_keys(service: RecordService, admin, people):
    customer = service.create(admin, "customer", {"name": "华为", "credit_limit": "¥1,234.5"})
    assert customer["name"] == "华为"
    assert customer["credit_limit"] == "1234.50"
    assert customer["level"] == "c"  # literal default
    assert customer["row_version"] == 1
    assert customer["owner_id"] == people.users["admin"]
    assert customer["created_by"] == people.users["admin"]
    assert customer["created_at"].startswith("2026-03-01T02:00")
    assert service.get(admin, "customer", customer["id"]) == customer


def test_get_python_values(service: RecordService, admin, make_customer):
    customer = make_customer(credit_limit="10")
    raw = service.get(admin, "customer", customer["id"], as_json=False)
    assert raw["credit_limit"] == Decimal("10.00")


def test_update_is_partial_and_bumps_version(service: RecordService, admin, make_customer, clock):
    customer = make_customer(region="east", credit_limit="5")
    clock.now = clock.now.replace(hour=3)
    updated = service.update(admin, "customer", customer["id"], {"region": "west"})
    assert updated["region"] == "west"
    assert updated["credit_limit"] == "5.00"
    assert updated["row_version"] == 2
    assert updated["updated_at"].startswith("2026-03-01T03:00")
    assert service.get(admin, "customer", customer["id"])["region"] == "west"


def test_update_without_change_keeps_the_version(service: RecordService, admin, make_customer):
    customer = make_customer(region="east")
    same = service.update(admin, "customer", customer["id"], {"region": "east"})
    assert same["row_version"] == 1
    assert len(service.history(admin, "customer", customer["id"])) == 1


def test_stale_row_version_is_a_conflict_naming_who_changed_it(
    service: RecordService, people, make_customer, clock
):
    wang = people.actors["wang"]
    customer = make_customer(region="east", owner_id=people.users["wang"])
    clock.now = clock.now.replace(hour=10, minute=42)
    service.update(wang, "customer", customer["id"], {"region": "south"}, row_version=1)
    with pytest.raises(RecordConflict) as caught:
        service.update(wang, "customer", customer["id"], {"region": "north"}, row_version=1)
    conflict = caught.value
    assert conflict.current_version == 2
    assert conflict.updated_by == people.users["wang"]
    assert conflict.updated_by_name == "王经理"
    assert conflict.updated_at.hour == 10 and conflict.updated_at.minute == 42
    assert "王经理" in conflict.message("zh-CN")
    assert "王经理" in conflict.message("en")
    assert conflict.as_dict()["row_version"] == 2
    # row_version inside the values works the same way
    with pytest.raises(RecordConflict):
        service.update(wang, "customer", customer["id"], {"region": "x", "row_version": 1})
    assert service.get(wang, "customer", customer["id"])["region"] == "south"


def test_delete_is_soft_and_restore_brings_it_back(service: RecordService, admin, make_customer):
    customer = make_customer()
    service.delete(admin, "customer", customer["id"])
    with pytest.raises(RecordNotFound):
        service.get(admin, "customer", customer["id"])
    with pytest.raises(RecordNotFound):
        service.update(admin, "customer", customer["id"], {"region": "x"})
    assert service.count(admin, "customer") == 0
    binned = service.list_deleted(admin, "customer")
    assert [r["id"] for r in binned.rows] == [customer["id"]]
    assert binned.rows[0]["deleted_at"]
    restored = service.restore(admin, "customer", customer["id"])
    assert restored["name"] == customer["name"]
    assert service.get(admin, "customer", customer["id"])["id"] == customer["id"]
    assert service.list_deleted(admin, "customer").rows == []


def test_restore_of_a_live_record_is_not_found(service: RecordService, admin, make_customer):
    customer = make_customer()
    with pytest.raises(RecordNotFound):
        service.restore(admin, "customer", customer["id"])


def test_delete_with_stale_version_conflicts(service: RecordService, admin, make_customer):
    customer = make_customer()
    service.update(admin, "customer", customer["id"], {"region": "x"})
    with pytest.raises(RecordConflict):
        service.delete(admin, "customer", customer["id"], row_version=1)


def test_restrict_keeps_a_referenced_record_out_of_the_bin(
    service: RecordService, admin, make_customer
):
    customer = make_customer()
    opp = service.create(admin, "opportunity", {"name": "A", "customer": customer["id"]})
    with pytest.raises(RecordValidationError) as caught:
        service.delete(admin, "customer", customer["id"])
    assert caught.value.codes() == {None: ["still_referenced"]}
    service.delete(admin, "opportunity", opp["id"])
    service.delete(admin, "customer", customer["id"])


def test_get_of_unknown_id_is_not_found(service: RecordService, admin, people):
    with pytest.raises(RecordNotFound) as caught:
        service.get(admin, "customer", 999)
    assert "999" in caught.value.message("zh-CN")
    assert "999" in caught.value.message("en")


def test_children_are_written_with_the_parent(service: RecordService, admin, make_customer):
    customer = make_customer()
    opp = service.create(
        admin,
        "opportunity",
        {
            "name": "A",
            "customer": customer["id"],
            "lines": [
                {"product": "X", "quantity": 2, "unit_price": "10.5"},
                {"product": "Y", "unit_price": "3"},
            ],
        },
    )
    lines = opp["lines"]
    assert [line["product"] for line in lines] == ["X", "Y"]
    assert [line["subtotal"] for line in lines] == ["21.00", "3.00"]
    assert lines[1]["quantity"] == 1  # child default
    assert opp["product_total"] == "24.00"
    assert opp["line_total"] == "24.00"
    # update: keep X (changed), drop Y, add Z
    updated = service.update(
        admin,
        "opportunity",
        opp["id"],
        {
            "lines": [
                {"id": lines[0]["id"], "quantity": 3},
                {"product": "Z", "unit_price": "1"},
            ]
        },
    )
    assert [(r["product"], r["subtotal"]) for r in updated["lines"]] == [
        ("X", "31.50"),
        ("Z", "1.00"),
    ]
    assert updated["product_total"] == "32.50"
    assert updated["lines"][0]["id"] == lines[0]["id"]
    again = service.get(admin, "opportunity", opp["id"])
    assert [(r["product"], r["subtotal"]) for r in again["lines"]] == [
        ("X", "31.50"),
        ("Z", "1.00"),
    ]
    assert again["product_total"] == "32.50"
    # children go to the bin with the parent and come back with it
    service.delete(admin, "opportunity", opp["id"])
    assert service.count(admin, "opportunity_line") == 0
    restored = service.restore(admin, "opportunity", opp["id"])
    assert [r["product"] for r in restored["lines"]] == ["X", "Z"]


def test_child_row_of_another_parent_cannot_be_updated(
    service: RecordService, admin, make_customer
):
    customer = make_customer()
    first = service.create(
        admin, "opportunity", {"name": "A", "customer": customer["id"], "lines": [{"product": "X"}]}
    )
    second = service.create(admin, "opportunity", {"name": "B", "customer": customer["id"]})
    with pytest.raises(RecordValidationError) as caught:
        service.update(
            admin,
            "opportunity",
            second["id"],
            {"lines": [{"id": first["lines"][0]["id"], "product": "stolen"}]},
        )
    assert caught.value.codes() == {"lines": ["child_row_not_found"]}
    assert service.get(admin, "opportunity", first["id"])["lines"][0]["product"] == "X"


def test_child_row_errors_name_the_row(service: RecordService, admin, make_customer):
    customer = make_customer()
    with pytest.raises(RecordValidationError) as caught:
        service.create(
            admin,
            "opportunity",
            {
                "name": "A",
                "customer": customer["id"],
                "lines": [{"product": "ok"}, {"quantity": 0}],
            },
        )
    errors = caught.value.errors
    assert {(e.field, e.params["row"], e.params["field"]) for e in errors} == {
        ("lines", 2, "product"),
        ("lines", 2, "quantity"),
    }
    assert "第 2 行" in errors[0].message("zh-CN")
    assert "row 2" in errors[0].message("en")


def test_a_record_can_only_be_handed_to_an_existing_active_user(
    service: RecordService, admin, people, make_customer
):
    with pytest.raises(RecordValidationError) as caught:
        service.create(admin, "customer", {"name": "无主客户", "owner_id": 987654})
    assert caught.value.codes() == {"owner_id": ["not_found_reference"]}
    customer = make_customer()
    with write_transaction(service.engine) as conn:
        org.deactivate_user(conn, people.users["li"])
    with pytest.raises(RecordValidationError) as caught:
        service.update(admin, "customer", customer["id"], {"owner_id": people.users["li"]})
    assert "负责人" in caught.value.message("zh-CN")
    result = service.bulk_create(admin, "customer", [{"name": "甲", "owner_id": 987654}])
    assert result.errors[0].codes() == {"owner_id": ["not_found_reference"]}
