"""Merging customers: references re-pointed from the plan, merged records in the bin,
chosen values on the master, one audit trail — and an undo that restores exactly."""

from __future__ import annotations

import pytest

from runtime.dedupe.log import list_merges
from runtime.dedupe.merge import MergeError, merge, undo_merge
from runtime.records import PermissionDenied, RecordNotFound, RecordValidationError

VOLATILE = {"row_version", "updated_at", "updated_by"}


def _snapshot(service, actor):
    """Every record of every table (minus write stamps), to compare before/after."""
    out = {}
    for table in ("customer", "contact", "follow_up", "opportunity"):
        page = service.query(actor, table, limit=200)
        for record in page.rows:
            out[(table, record["id"])] = {k: v for k, v in record.items() if k not in VOLATILE}
    return out


@pytest.fixture
def world(service, actors):
    admin = actors["admin"]
    a = service.create(
        admin, "customer", {"name": "杭州阿里巴巴网络科技有限公司", "phone": "0571-88886666"}
    )
    b = service.create(
        admin,
        "customer",
        {"name": "阿里巴巴（杭州）网络科技", "uscc": "91330100MA27XXXX0X", "region": "华东"},
    )
    c = service.create(admin, "customer", {"name": "阿里巴巴杭州", "parent_company": b["id"]})
    contact = service.create(admin, "contact", {"name": "王五", "customer": b["id"]})
    service.create(admin, "contact", {"name": "赵六", "customer": a["id"]})
    follow = service.create(
        admin, "follow_up", {"subject": "拜访", "customer": c["id"], "contact": contact["id"]}
    )
    opp = service.create(admin, "opportunity", {"name": "云服务", "customer": b["id"]})
    return {"a": a, "b": b, "c": c, "contact": contact, "follow": follow, "opp": opp}


def test_merge_repoints_references_and_deletes_the_others(service, actors, world):
    admin = actors["admin"]
    a, b, c = world["a"]["id"], world["b"]["id"], world["c"]["id"]
    result = merge(service, admin, "customer", a, [b, c], {"uscc": b, "region": b})
    assert result.record["uscc"] == "91330100MA27XXXX0X"
    assert result.record["region"] == "华东"
    assert result.record["name"] == "杭州阿里巴巴网络科技有限公司"
    assert result.record["contact_count"] == 2  # rollup follows the re-pointed contact
    assert result.repointed == {
        "contact.customer": 1,
        "follow_up.customer": 1,
        "opportunity.customer": 1,
    }
    contact = service.get(admin, "contact", world["contact"]["id"])
    assert contact["customer"] == a
    assert contact["customer_name"] == "杭州阿里巴巴网络科技有限公司"  # lookup refreshed
    assert service.get(admin, "opportunity", world["opp"]["id"])["customer"] == a
    assert service.get(admin, "follow_up", world["follow"]["id"])["customer"] == a
    for gone in (b, c):
        with pytest.raises(RecordNotFound):
            service.get(admin, "customer", gone)
    history = service.history(admin, "contact", world["contact"]["id"])
    assert history[-1].action == "update" and history[-1].channel == "ui"
    [logged] = list_merges(service.engine, "crm", "customer")
    assert logged["id"] == result.merge_id and logged["merged_ids"] == [b, c]


def test_undo_restores_exactly(service, actors, world):
    admin = actors["admin"]
    a, b, c = world["a"]["id"], world["b"]["id"], world["c"]["id"]
    before = _snapshot(service, admin)
    result = merge(service, admin, "customer", a, [b, c], {"uscc": b, "region": b, "phone": c})
    assert _snapshot(service, admin) != before
    master = undo_merge(service, admin, result.merge_id)
    assert master["uscc"] is None and master["phone"] == "0571-88886666"
    assert _snapshot(service, admin) == before
    with pytest.raises(MergeError) as caught:
        undo_merge(service, admin, result.merge_id)
    assert caught.value.code == "merge_already_undone"


def test_self_reference_from_the_master_is_emptied_and_undone(service, actors, world):
    admin = actors["admin"]
    b, c = world["b"]["id"], world["c"]["id"]
    result = merge(service, admin, "customer", c, [b], {})
    assert result.record["parent_company"] is None  # c pointed at b: not at itself
    undo_merge(service, admin, result.merge_id)
    assert service.get(admin, "customer", c)["parent_company"] == b


def test_undo_restores_a_self_reference_the_master_took_from_a_merged_record(
    service, actors, world
):
    admin = actors["admin"]
    a, b, c = world["a"]["id"], world["b"]["id"], world["c"]["id"]
    service.update(admin, "customer", b, {"parent_company": a})
    before = _snapshot(service, admin)
    result = merge(service, admin, "customer", c, [b], {"parent_company": b})
    assert result.record["parent_company"] == a  # b's, not emptied
    assert undo_merge(service, admin, result.merge_id)["parent_company"] == b
    assert _snapshot(service, admin) == before


def test_undo_refused_after_a_later_edit(service, actors, world):
    admin = actors["admin"]
    a, b = world["a"]["id"], world["b"]["id"]
    result = merge(service, admin, "customer", a, [b], {})
    service.update(admin, "contact", world["contact"]["id"], {"mobile": "13800138000"})
    with pytest.raises(MergeError) as caught:
        undo_merge(service, admin, result.merge_id)
    assert caught.value.code == "merge_changed_since"
    assert f"#{world['contact']['id']}" in caught.value.message("zh-CN")
    # nothing was undone
    assert service.get(admin, "contact", world["contact"]["id"])["customer"] == a


def test_merge_rights(service, actors):
    zhang, li = actors["zhang"], actors["li"]
    mine = service.create(zhang, "customer", {"name": "张的客户甲"})
    mine2 = service.create(zhang, "customer", {"name": "张的客户乙"})
    theirs = service.create(li, "customer", {"name": "李的客户"})
    with pytest.raises(RecordNotFound):
        merge(service, zhang, "customer", mine["id"], [theirs["id"]], {})
    # a colleague's follow-up pointing at my customer is re-pointed all the same
    follow = service.create(
        actors["admin"],
        "follow_up",
        {"subject": "x", "customer": mine2["id"]},
        owner_id=li.user_id,
    )
    result = merge(service, zhang, "customer", mine["id"], [mine2["id"]], {})
    assert service.get(li, "follow_up", follow["id"])["customer"] == mine["id"]
    assert service.history(li, "follow_up", follow["id"])[-1].actor_id == zhang.user_id
    with pytest.raises(PermissionDenied):
        undo_merge(service, li, result.merge_id)
    undo_merge(service, zhang, result.merge_id)


@pytest.mark.parametrize(
    ("others", "choices", "code"),
    [
        ([], {}, "merge_count"),
        ([2, 3, 4, 5, 6], {}, "merge_count"),
        ([1], {}, "merge_count"),
        ([2], {"contact_count": 2}, "merge_field_invalid"),
        ([2], {"name": 99}, "merge_choice_invalid"),
    ],
)
def test_bad_merge_requests(service, actors, others, choices, code):
    admin = actors["admin"]
    for name in ("甲", "乙"):
        service.create(admin, "customer", {"name": name})
    with pytest.raises((MergeError, RecordValidationError)) as caught:
        merge(service, admin, "customer", 1, others, choices)
    error = caught.value
    codes = [e.code for e in error.errors] if hasattr(error, "errors") else [error.code]
    assert codes == [code]
