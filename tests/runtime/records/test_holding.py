"""Holding records in a unit of work: ``lock`` checks rights and returns the stored
values, ``references`` and ``repoint`` move references between held records without
rights on the referring ones (still validated and audited), ``versions`` reads row
versions whoever may read the record."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

import pytest
from _apps import ACTIVITY, CUSTOMER, OPPORTUNITY, OPPORTUNITY_LINE, ROLES

from form_engine.fields import default_registry
from runtime.records import (
    Actor,
    PermissionDenied,
    QueryError,
    RecordConflict,
    RecordNotFound,
    RecordService,
    RecordValidationError,
    RecordVersion,
    Reference,
)
from runtime.storage.tables import AppTables
from schemas.spec import AppSpec


def _relation(key: str, **extra: Any) -> dict[str, Any]:
    label = {"zh-CN": key, "en": key}
    return {"key": key, "type": "relation", "label": label, **extra}


@pytest.fixture
def tables() -> AppTables:
    """The records test CRM plus a sub-form line pointing at a customer (``supplier``) and
    a read-only ``customer`` on activities."""
    line = deepcopy(OPPORTUNITY_LINE)
    line["fields"].append(_relation("supplier", config={"target": "customer"}))
    activity = deepcopy(ACTIVITY)
    activity["fields"].append(
        _relation("customer", readonly=True, config={"target": "customer", "on_delete": "set_null"})
    )
    spec = AppSpec.from_dict(
        {
            "key": "crm",
            "name": {"zh-CN": "客户管理", "en": "CRM"},
            "version": "1",
            "settings": {"timezone": "Asia/Shanghai"},
            "roles": ROLES,
            "tables": [CUSTOMER, OPPORTUNITY, line, activity],
        }
    )
    return AppTables(spec, default_registry())


@pytest.fixture
def zhang(people) -> Actor:
    return people.actors["zhang"]


@pytest.fixture
def li(people) -> Actor:
    return people.actors["li"]


def _opportunity(service: RecordService, actor: Actor, customer: int, **values: Any) -> dict:
    return service.create(
        actor, "opportunity", {"name": "云服务", "customer": customer, "stage": "open", **values}
    )


def test_lock_needs_a_unit_of_work(service: RecordService, admin, make_customer) -> None:
    customer = make_customer()
    with pytest.raises(RuntimeError, match="unit of work"):
        service.lock(admin, "customer", customer["id"])


def test_lock_checks_rights_and_returns_the_stored_values(
    service: RecordService, admin, zhang, li, make_customer
) -> None:
    customer = make_customer(phone="13812345678")
    theirs = _opportunity(service, li, customer["id"])
    with service.unit_of_work():
        held = service.lock(zhang, "customer", customer["id"])
        assert held["phone"] == "13812345678"  # masked for zhang when read, not here
        assert held["row_version"] == 1
        with pytest.raises(PermissionDenied):
            service.lock(zhang, "customer", customer["id"], action="delete")
        with pytest.raises(RecordNotFound):
            service.lock(zhang, "opportunity", theirs["id"])  # outside zhang's row scope
        with pytest.raises(ValueError, match="read"):
            service.lock(admin, "customer", customer["id"], action="read")
    gone = make_customer()["id"]
    service.delete(admin, "customer", gone)
    with service.unit_of_work():
        with pytest.raises(RecordNotFound):
            service.lock(admin, "customer", gone)
        binned = service.lock(admin, "customer", gone, action="delete", deleted=True)
        assert binned["deleted_at"] is not None


def test_references_lists_every_referrer_of_held_records_only(
    service: RecordService, admin, zhang, li, make_customer
) -> None:
    a, b = make_customer()["id"], make_customer()["id"]
    mine = _opportunity(service, zhang, a)["id"]
    theirs = _opportunity(service, li, b)["id"]
    with_lines = service.create(
        admin,
        "opportunity",
        {"name": "带明细", "customer": b, "lines": [{"product": "服务器", "supplier": a}]},
    )
    with service.unit_of_work():
        with pytest.raises(PermissionDenied):
            service.references(zhang, "customer", [a])
        service.lock(zhang, "customer", a)
        service.lock(zhang, "customer", b)
        found = service.references(zhang, "customer", [b, a])
    assert found == [
        Reference("opportunity", "customer", mine, a),
        Reference("opportunity", "customer", theirs, b),  # li's: zhang cannot read it
        Reference("opportunity", "customer", with_lines["id"], b),
        Reference("opportunity_line", "supplier", with_lines["lines"][0]["id"], a),
    ]
    with service.unit_of_work(), pytest.raises(PermissionDenied):
        service.references(zhang, "customer", [a])  # a hold ends with its unit


def test_repoint_moves_a_colleagues_reference_in_the_actors_name(
    service: RecordService, admin, zhang, li, make_customer
) -> None:
    a = make_customer(level="a")["id"]
    b = make_customer(level="b")["id"]
    theirs = _opportunity(service, li, b)["id"]
    with service.unit_of_work():
        service.lock(zhang, "customer", a)
        service.lock(zhang, "customer", b)
        service.repoint(zhang, "opportunity", theirs, "customer", was=b, to=a)
    moved = service.get(li, "opportunity", theirs)
    assert moved["customer"] == a and moved["customer_level"] == "a"  # lookup refreshed
    assert service.get(admin, "customer", a)["opportunity_count"] == 1  # rollups follow
    assert service.get(admin, "customer", b)["opportunity_count"] == 0
    entry = service.history(li, "opportunity", theirs)[-1]
    assert (entry.action, entry.actor_id, entry.channel) == ("update", zhang.user_id, "ui")
    assert entry.changes["customer"] == [b, a]


def test_repoint_needs_both_ends_held_and_the_reference_unchanged(
    service: RecordService, zhang, li, make_customer
) -> None:
    a, b, c = (make_customer()["id"] for _ in range(3))
    theirs = _opportunity(service, li, b)["id"]
    with service.unit_of_work():
        service.lock(zhang, "customer", a)
        with pytest.raises(PermissionDenied):
            service.repoint(zhang, "opportunity", theirs, "customer", was=b, to=a)
        service.lock(zhang, "customer", b)
        with pytest.raises(PermissionDenied):
            service.repoint(li, "opportunity", theirs, "customer", was=b, to=a)  # zhang's hold
        with pytest.raises(PermissionDenied):
            service.repoint(zhang, "opportunity", theirs, "customer", was=b, to=c)
        service.lock(zhang, "customer", c)
        with pytest.raises(RecordConflict):
            service.repoint(zhang, "opportunity", theirs, "customer", was=c, to=a)
        with pytest.raises(QueryError):
            service.repoint(zhang, "opportunity", theirs, "name", was=b, to=a)
        with pytest.raises(ValueError, match="held record"):
            service.repoint(zhang, "opportunity", theirs, "customer", was=None, to=None)
    assert service.get(li, "opportunity", theirs)["customer"] == b


def test_repoint_keeps_validation(service: RecordService, admin, make_customer) -> None:
    b = make_customer()["id"]
    opportunity = _opportunity(service, admin, b)["id"]
    with service.unit_of_work():
        service.lock(admin, "customer", b)
        with pytest.raises(RecordValidationError) as caught:
            service.repoint(admin, "opportunity", opportunity, "customer", was=b, to=None)
        assert caught.value.codes() == {"customer": ["required"]}
    assert service.get(admin, "opportunity", opportunity)["customer"] == b


def test_repoint_of_a_readonly_reference_and_a_sub_form_line(
    service: RecordService, admin, zhang, make_customer
) -> None:
    a, b = make_customer()["id"], make_customer()["id"]
    opportunity = service.create(
        admin,
        "opportunity",
        {"name": "带明细", "customer": a, "lines": [{"product": "服务器", "supplier": b}]},
    )
    line = opportunity["lines"][0]["id"]
    activity = service.create(
        Actor.system(), "activity", {"subject": "拜访", "opportunity": opportunity["id"]}
    )["id"]
    with service.unit_of_work():
        service.lock(zhang, "customer", a)
        service.lock(zhang, "customer", b)
        service.repoint(zhang, "activity", activity, "customer", was=None, to=b)
        service.repoint(zhang, "opportunity_line", line, "supplier", was=b, to=a)
        with pytest.raises(RecordConflict):
            service.repoint(zhang, "opportunity_line", line, "supplier", was=b, to=a)
    assert service.get(admin, "activity", activity)["customer"] == b
    entry = service.history(admin, "activity", activity)[-1]
    assert (entry.actor_id, entry.channel) == (zhang.user_id, "system")  # a readonly field
    assert service.get(admin, "opportunity", opportunity["id"])["lines"][0]["supplier"] == a


def test_versions_whoever_may_read(service: RecordService, admin, zhang, li, make_customer) -> None:
    customer = make_customer()["id"]
    theirs = _opportunity(service, li, customer)["id"]
    service.update(li, "opportunity", theirs, {"name": "改名"})
    binned = _opportunity(service, admin, customer)["id"]
    service.delete(admin, "opportunity", binned)
    assert service.versions("opportunity", [theirs, binned, 999]) == {
        theirs: RecordVersion(2, False),
        binned: RecordVersion(2, True),
    }
    with pytest.raises(RecordNotFound):
        service.get(zhang, "opportunity", theirs)
