"""Row scope and field access hold on the indirect paths too: setting relations (and the
lookups they copy), back-links, upsert keys, the recycle bin, still-referenced errors and
the recompute cascade limit."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.engine import Engine

from form_engine.fields import default_registry
from runtime.records import Actor, PermissionDenied, RecordService, RecordValidationError
from runtime.records._refresh import MAX_CASCADE
from runtime.storage.tables import AppTables
from schemas.spec import AppSpec


def _codes(call) -> dict:
    with pytest.raises(RecordValidationError) as caught:
        call()
    return caught.value.codes()


@pytest.fixture
def west_customer(service: RecordService, people):
    """A customer owned by li (West): outside wang's (East) department scope."""
    return service.create(people.actors["li"], "customer", {"name": "西部客户", "level": "a"})


def test_relation_to_a_record_outside_the_read_scope_is_not_found(
    service: RecordService, people, west_customer
):
    wang = people.actors["wang"]
    hidden = _codes(
        lambda: service.create(wang, "opportunity", {"name": "A", "customer": west_customer["id"]})
    )
    missing = _codes(lambda: service.create(wang, "opportunity", {"name": "A", "customer": 99999}))
    assert hidden == missing == {"customer": ["not_found_reference"]}
    # the same through a batch (prefetched references)
    result = service.bulk_create(
        wang, "opportunity", [{"name": "B", "customer": west_customer["id"]}], atomic=False
    )
    assert result.errors[0].codes() == {"customer": ["not_found_reference"]}
    # nothing was copied by the lookup: no record was written
    assert service.count(people.actors["admin"], "opportunity") == 0
    # an unrestricted actor may link it
    linked = service.create(
        people.actors["admin"], "opportunity", {"name": "C", "customer": west_customer["id"]}
    )
    assert linked["customer_level"] == "a"


def test_back_link_to_another_reps_record_is_refused(service: RecordService, people, make_customer):
    zhang, li = people.actors["zhang"], people.actors["li"]
    customer = make_customer()
    mine = service.create(zhang, "opportunity", {"name": "张的", "customer": customer["id"]})
    theirs = service.create(li, "opportunity", {"name": "李的", "customer": customer["id"]})
    codes = _codes(
        lambda: service.create(zhang, "activity", {"subject": "x", "opportunity": theirs["id"]})
    )
    assert codes == {"opportunity": ["not_found_reference"]}
    admin = people.actors["admin"]
    assert service.get(admin, "opportunity", theirs["id"])["activity_count"] == 0
    # linking to one's own record moves its derived count (a recompute, not an edit)
    activity = service.create(zhang, "activity", {"subject": "x", "opportunity": mine["id"]})
    assert activity["opportunity_name"] == "张的"
    after = service.get(admin, "opportunity", mine["id"])
    assert after["activity_count"] == 1
    assert after["row_version"] == mine["row_version"]


def test_upsert_refuses_hidden_and_masked_keys(service: RecordService, people, make_customer):
    zhang = people.actors["zhang"]
    customer = make_customer(phone="13812345678")
    mine = service.create(zhang, "opportunity", {"name": "张的", "customer": customer["id"]})
    service.update(people.actors["admin"], "opportunity", mine["id"], {"cost": "50"})
    for value in ("50", "51"):  # matching or not, the answer is the same
        with pytest.raises(PermissionDenied) as caught:
            service.upsert(
                zhang, "opportunity", ["cost"], {"cost": value, "name": "n", "customer": 1}
            )
        assert caught.value.code == "permission_denied_field"
    with pytest.raises(PermissionDenied):
        service.upsert(zhang, "customer", ["phone"], {"phone": "13812345678", "name": "x"})


def test_query_of_the_recycle_bin_needs_delete(service: RecordService, people, make_customer):
    customer = make_customer()
    service.delete(people.actors["admin"], "customer", customer["id"])
    qian = people.actors["qian"]  # may read customers, not delete them
    with pytest.raises(PermissionDenied):
        service.query(qian, "customer", deleted=True)
    with pytest.raises(PermissionDenied):
        service.list_deleted(qian, "customer")


def test_still_referenced_counts_only_visible_records(service: RecordService, people):
    wang, zhang, li = people.actors["wang"], people.actors["zhang"], people.actors["li"]
    customer = service.create(wang, "customer", {"name": "华东客户"})
    service.create(zhang, "opportunity", {"name": "张的", "customer": customer["id"]})
    with pytest.raises(RecordValidationError) as caught:
        service.delete(wang, "customer", customer["id"])
    error = caught.value.errors[0]
    assert (error.code, error.params["count"]) == ("still_referenced", 1)
    # li (West) links the customer too: wang cannot see that record, so no count is given
    service.create(li, "opportunity", {"name": "李的", "customer": customer["id"]})
    with pytest.raises(RecordValidationError) as caught:
        service.delete(wang, "customer", customer["id"])
    assert caught.value.codes() == {None: ["still_referenced_hidden"]}
    assert "count" not in caught.value.errors[0].params
    assert "其他记录" in caught.value.message("zh-CN")


def _chain_app() -> AppSpec:
    label = {"zh-CN": "节点", "en": "Node"}
    return AppSpec.from_dict(
        {
            "key": "chain",
            "name": label,
            "version": "1",
            "tables": [
                {
                    "key": "node",
                    "label": label,
                    "fields": [
                        {"key": "name", "type": "text", "label": label},
                        {
                            "key": "up",
                            "type": "relation",
                            "label": label,
                            "config": {"target": "node", "on_delete": "set_null"},
                        },
                        {
                            "key": "below",
                            "type": "rollup",
                            "label": label,
                            "config": {
                                "table": "node",
                                "via": "up",
                                "aggregate": "sum",
                                "field": "size",
                                "result_type": "number",
                            },
                        },
                        {
                            "key": "size",
                            "type": "formula",
                            "label": label,
                            "config": {"expression": "below + 1", "result_type": "number"},
                        },
                    ],
                }
            ],
        }
    )


def test_cascade_limit_is_logged(engine: Engine, caplog):
    """A chain of nodes each counting the nodes below it: a change at the bottom travels
    up one hop per level; past MAX_CASCADE the rest stays stale, with a warning."""
    tables = AppTables(_chain_app(), default_registry())
    tables.metadata.create_all(engine)
    service = RecordService(engine, tables)
    system = Actor.system()
    up = None
    for index in range(MAX_CASCADE + 1):  # the top is MAX_CASCADE hops above the bottom
        up = service.create(system, "node", {"name": str(index), "up": up and up["id"]})
    assert service.get(system, "node", 1)["size"] == MAX_CASCADE + 1
    assert not [r for r in caplog.records if r.name == "runtime.records._refresh"]
    with caplog.at_level(logging.WARNING, logger="runtime.records._refresh"):
        service.create(system, "node", {"name": "deeper", "up": up["id"]})
    warnings = [r for r in caplog.records if r.name == "runtime.records._refresh"]
    assert warnings and "stopped after" in warnings[0].getMessage()
    assert service.get(system, "node", 2)["size"] == MAX_CASCADE + 1  # refreshed
    assert service.get(system, "node", 1)["size"] == MAX_CASCADE + 1  # left stale
