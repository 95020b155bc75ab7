"""Permissions: default deny, row scopes, hidden and masked fields — on every path."""

from __future__ import annotations

import pytest

from runtime.records import PermissionDenied, RecordNotFound, RecordService, RecordValidationError


@pytest.fixture
def two_reps(service: RecordService, people, make_customer):
    zhang, li = people.actors["zhang"], people.actors["li"]
    customer = make_customer(region="east")
    mine = service.create(
        zhang, "opportunity", {"name": "张的", "customer": customer["id"], "amount": "100"}
    )
    theirs = service.create(
        li, "opportunity", {"name": "李的", "customer": customer["id"], "amount": "200"}
    )
    return zhang, li, mine, theirs


def test_rep_cannot_reach_another_reps_records(service: RecordService, two_reps):
    zhang, _li, mine, theirs = two_reps
    with pytest.raises(RecordNotFound):
        service.get(zhang, "opportunity", theirs["id"])
    assert [r["id"] for r in service.query(zhang, "opportunity").rows] == [mine["id"]]
    assert service.count(zhang, "opportunity") == 1
    assert service.aggregate(zhang, "opportunity", measures=[("sum", "amount")]) == [
        {"sum_amount": "100.00"}
    ]
    with pytest.raises(RecordNotFound):
        service.update(zhang, "opportunity", theirs["id"], {"name": "hijack"})
    with pytest.raises(RecordNotFound):
        service.delete(zhang, "opportunity", theirs["id"])
    with pytest.raises(RecordNotFound):
        service.history(zhang, "opportunity", theirs["id"])
    assert service.get(zhang, "opportunity", mine["id"])["name"] == "张的"


def test_hidden_field_is_absent_and_unusable(service: RecordService, two_reps, admin):
    zhang, _li, mine, _theirs = two_reps
    service.update(admin, "opportunity", mine["id"], {"cost": "50"})
    assert "cost" not in service.get(zhang, "opportunity", mine["id"])
    assert "cost" not in service.query(zhang, "opportunity").rows[0]
    assert "cost" not in service.query(zhang, "opportunity", fields=["name", "cost"]).rows[0]
    with pytest.raises(PermissionDenied) as caught:
        service.query(zhang, "opportunity", where={"field": "cost", "op": "gt", "value": 10})
    assert "成本" in caught.value.message("zh-CN")
    with pytest.raises(PermissionDenied):
        service.count(zhang, "opportunity", {"field": "cost", "op": "is_empty"})
    with pytest.raises(PermissionDenied):
        service.query(zhang, "opportunity", order_by=[("cost", "asc")])
    with pytest.raises(PermissionDenied):
        service.aggregate(zhang, "opportunity", group_by=["cost"])
    with pytest.raises(PermissionDenied):
        service.aggregate(zhang, "opportunity", measures=[("sum", "cost")])
    with pytest.raises(RecordValidationError) as error:
        service.update(zhang, "opportunity", mine["id"], {"cost": "1"})
    assert error.value.codes() == {"cost": ["no_permission_field"]}
    assert all("cost" not in e.changes for e in service.history(zhang, "opportunity", mine["id"]))


def test_read_only_field_cannot_be_written(service: RecordService, two_reps):
    zhang, _li, mine, _theirs = two_reps
    with pytest.raises(RecordValidationError) as error:
        service.update(zhang, "opportunity", mine["id"], {"probability": 50})
    assert error.value.codes() == {"probability": ["no_permission_field"]}


def test_masked_fields(service: RecordService, people, make_customer):
    customer = make_customer(phone="13812345678", email="alice@example.com")
    seen = service.get(people.actors["zhang"], "customer", customer["id"])
    assert seen["phone"] == "138****5678"
    assert seen["email"] == "a***@example.com"
    with pytest.raises(PermissionDenied):
        service.query(
            people.actors["zhang"],
            "customer",
            where={"field": "phone", "op": "starts_with", "value": "138"},
        )


def test_department_tree_scope(service: RecordService, people, make_customer):
    customer = make_customer()
    wang = people.actors["wang"]  # manager of East, which contains Shanghai (zhang)
    zhang_opp = service.create(
        people.actors["zhang"], "opportunity", {"name": "SH", "customer": customer["id"]}
    )
    li_opp = service.create(
        people.actors["li"], "opportunity", {"name": "West", "customer": customer["id"]}
    )
    ids = {r["id"] for r in service.query(wang, "opportunity").rows}
    assert ids == {zhang_opp["id"]}
    service.update(wang, "opportunity", zhang_opp["id"], {"name": "SH2"})
    with pytest.raises(RecordNotFound):
        service.update(wang, "opportunity", li_opp["id"], {"name": "no"})


def test_department_scope_is_only_the_department_itself(service, people, make_customer):
    wang = people.actors["wang"]
    make_customer(name="by zhang", owner_id=people.users["zhang"])  # Shanghai, below East
    own = make_customer(name="by wang", owner_id=people.users["wang"])
    assert [r["id"] for r in service.query(wang, "customer").rows] == [own["id"]]


def test_condition_scope(service: RecordService, people, make_customer):
    east = make_customer(region="east")
    make_customer(region="west")
    zhao = people.actors["zhao"]
    assert [r["id"] for r in service.query(zhao, "customer").rows] == [east["id"]]
    assert service.count(zhao, "customer") == 1


def test_default_deny(service: RecordService, people, make_customer):
    customer = make_customer()
    qian = people.actors["qian"]  # customer_only: no opportunity entry, no "*"
    for call in (
        lambda: service.query(qian, "opportunity"),
        lambda: service.count(qian, "opportunity"),
        lambda: service.create(qian, "opportunity", {"name": "x", "customer": customer["id"]}),
        lambda: service.update(qian, "customer", customer["id"], {"region": "x"}),
        lambda: service.delete(qian, "customer", customer["id"]),
        lambda: service.query(qian, "opportunity_line"),
    ):
        with pytest.raises(PermissionDenied) as caught:
            call()
        assert caught.value.message("en").startswith("You are not allowed to")


def test_owner_cannot_be_handed_over_without_share(service, people, make_customer):
    customer = make_customer()
    zhang = people.actors["zhang"]
    with pytest.raises(RecordValidationError) as error:
        service.create(
            zhang,
            "opportunity",
            {"name": "x", "customer": customer["id"]},
            owner_id=people.users["li"],
        )
    assert error.value.codes() == {"owner_id": ["no_permission_field"]}


def test_child_rows_follow_the_parent(service: RecordService, people, make_customer):
    customer = make_customer()
    zhang, li = people.actors["zhang"], people.actors["li"]
    service.create(
        zhang,
        "opportunity",
        {"name": "Z", "customer": customer["id"], "lines": [{"product": "p", "unit_price": "2"}]},
    )
    assert service.count(zhang, "opportunity_line") == 1
    assert service.count(li, "opportunity_line") == 0
