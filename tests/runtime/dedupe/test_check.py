"""Duplicate rules on save: ``block`` refuses, ``warn`` warns (preview) but saves,
``report`` stays silent; what a rep cannot read is never named."""

from __future__ import annotations

import pytest

from runtime.records import RecordValidationError


def test_block_names_the_existing_record(service, actors):
    admin = actors["admin"]
    first = service.create(admin, "customer", {"name": "杭州甲公司", "uscc": "91330106MA2ABCDE01"})
    with pytest.raises(RecordValidationError) as caught:
        service.create(admin, "customer", {"name": "另一家", "uscc": "91330106MA2ABCDE01"})
    error = caught.value.errors[0]
    assert (error.field, error.code) == ("uscc", "duplicate_blocked")
    assert f"#{first['id']}" in error.message("zh-CN")
    assert "杭州甲公司" in error.message("en")
    assert "信用代码相同" in error.message("zh-CN")


def test_block_on_update_only_when_a_rule_field_changes(service, actors):
    admin = actors["admin"]
    service.create(admin, "customer", {"name": "甲", "uscc": "X1"})
    other = service.create(admin, "customer", {"name": "乙", "uscc": "X2"})
    service.update(admin, "customer", other["id"], {"region": "华东"})  # no rule field
    with pytest.raises(RecordValidationError) as caught:
        service.update(admin, "customer", other["id"], {"uscc": "X1"})
    assert caught.value.codes() == {"uscc": ["duplicate_blocked"]}
    # Saving itself again is never a duplicate of itself.
    service.update(admin, "customer", other["id"], {"uscc": "X2", "name": "乙公司"})


def test_warn_does_not_stop_the_write_and_preview_lists_matches(service, actors):
    admin = actors["admin"]
    first = service.create(admin, "customer", {"name": "杭州阿里巴巴网络科技有限公司"})
    preview = service.preview(admin, "customer", {"name": "阿里巴巴（杭州）网络科技"})
    assert preview.ok
    [warning] = preview.warnings
    assert warning["rule"] == "similar_name"
    assert warning["matches"] == [
        {"id": first["id"], "title": "杭州阿里巴巴网络科技有限公司", "score": 100.0}
    ]
    assert warning["hidden"] == 0
    assert "可能与已有客户重复" in warning["messages"]["zh-CN"]
    second = service.create(admin, "customer", {"name": "阿里巴巴（杭州）网络科技"})
    assert second["id"] != first["id"]


def test_no_warning_for_different_regions_or_report_rules(service, actors):
    admin = actors["admin"]
    service.create(admin, "customer", {"name": "北京银行", "phone": "010-88886666"})
    preview = service.preview(admin, "customer", {"name": "上海银行", "phone": "01088886666"})
    assert preview.ok and preview.warnings == []  # the phone rule only reports


def test_warning_hides_records_the_actor_cannot_read(service, actors):
    service.create(actors["li"], "customer", {"name": "宁波海天塑机集团有限公司"})
    preview = service.preview(actors["zhang"], "customer", {"name": "宁波海天塑机集团"})
    [warning] = preview.warnings
    assert warning["matches"] == [] and warning["hidden"] == 1
    assert "海天" not in warning["messages"]["zh-CN"]
    assert "无权查看" in warning["messages"]["zh-CN"]


def test_block_does_not_reveal_a_hidden_record(service, actors):
    service.create(actors["li"], "customer", {"name": "李的客户", "uscc": "SECRET01"})
    with pytest.raises(RecordValidationError) as caught:
        service.create(actors["zhang"], "customer", {"name": "张的客户", "uscc": "SECRET01"})
    error = caught.value.errors[0]
    assert error.code == "duplicate_blocked_hidden"
    assert "李的客户" not in error.message("zh-CN")


def test_deleted_records_are_not_duplicates(service, actors):
    admin = actors["admin"]
    first = service.create(admin, "customer", {"name": "甲", "uscc": "X9"})
    service.delete(admin, "customer", first["id"])
    service.create(admin, "customer", {"name": "乙", "uscc": "X9"})


def test_phone_rule_matches_other_spellings(service, actors):
    admin = actors["admin"]
    customer = service.create(admin, "customer", {"name": "客户"})
    kept = service.create(
        admin, "contact", {"name": "王五", "customer": customer["id"], "mobile": "138-0013-8000"}
    )
    preview = service.preview(
        admin, "contact", {"name": "王 五", "customer": customer["id"], "mobile": "+8613800138000"}
    )
    assert [m["id"] for m in preview.warnings[0]["matches"]] == [kept["id"]]


def test_bulk_create_blocks_the_duplicate_row_only(service, actors):
    admin = actors["admin"]
    service.create(admin, "customer", {"name": "甲", "uscc": "B1"})
    result = service.bulk_create(
        admin,
        "customer",
        [{"name": "乙", "uscc": "B2"}, {"name": "丙", "uscc": "B1"}],
        atomic=False,
    )
    assert len(result.created) == 1
    assert result.errors[1].codes() == {"uscc": ["duplicate_blocked"]}
