"""``RecordService.preview``: what a create or update would store, every error it would
raise, the same permission answers as the write — and not one row written."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from runtime.records import (
    PermissionDenied,
    Preview,
    QueryError,
    RecordNotFound,
    RecordService,
)


def snapshot(service: RecordService) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (app and system), to compare before and after."""
    out = {}
    with service.engine.connect() as conn:
        for name, table in service.tables.metadata.tables.items():
            rows = conn.execute(sa.select(table)).all()
            out[name] = sorted((tuple(r) for r in rows), key=repr)
    return out


@pytest.fixture
def customer(make_customer) -> dict[str, Any]:
    return make_customer(level="a")


def test_new_record_preview_computes_everything_and_writes_nothing(
    service: RecordService, admin, customer
):
    before = snapshot(service)
    preview = service.preview(
        admin,
        "opportunity",
        {
            "name": "云平台",
            "customer": customer["id"],
            "amount": "200000",
            "probability": "30",
            "lines": [
                {"product": "服务器", "quantity": "2", "unit_price": "1000"},
                {"product": "交换机", "unit_price": "500.5"},
            ],
        },
    )
    assert isinstance(preview, Preview)
    assert preview.ok and preview.errors == [] and preview.warnings == []
    values = preview.values
    assert values["stage"] == "open"  # literal default
    assert values["customer_level"] == "a"  # lookup
    assert values["weighted"] == "60000.00"  # formula
    assert [row["subtotal"] for row in values["lines"]] == ["2000.00", "500.50"]
    assert values["lines"][1]["quantity"] == 1  # child default
    assert values["product_total"] == "2500.50"  # rollup over child rows
    assert values["line_total"] == "2500.50"
    assert values["activity_count"] == 0
    assert values.get("code") is None  # auto-numbers are taken at insert only
    assert snapshot(service) == before  # no record, audit, outbox or sequence row

    created = service.create(admin, "opportunity", {"name": "甲", "customer": customer["id"]})
    assert created["code"].endswith("0001")  # the preview consumed no number


def test_preview_reports_every_error_instead_of_raising(service: RecordService, admin, customer):
    before = snapshot(service)
    preview = service.preview(
        admin,
        "opportunity",
        {
            "name": "x" * 41,
            "customer": 999_999,
            "amount": "-5",
            "probability": "abc",
            "stage": "lost",
            "lines": [{"quantity": "0"}],
        },
    )
    codes = {(e.field, e.code) for e in preview.errors}
    assert codes == {
        ("name", "max_length"),
        ("customer", "not_found_reference"),
        ("amount", "min_value"),
        ("probability", "not_a_number"),
        ("lost_reason", "required"),  # required_when, judged on the draft
        ("lines", "child_row"),
    }
    row_problems = {e.params["field"] for e in preview.errors if e.code == "child_row"}
    assert row_problems == {"product", "quantity"}
    assert not preview.ok
    assert preview.values["name"] == "x" * 41  # the draft is still shown
    assert snapshot(service) == before


def test_preview_of_an_update_uses_the_stored_record(service: RecordService, admin, customer):
    opp = service.create(
        admin,
        "opportunity",
        {
            "name": "旧",
            "customer": customer["id"],
            "amount": "100",
            "probability": "50",
            "lines": [{"product": "A", "quantity": "1", "unit_price": "10"}],
        },
    )
    line_id = service.get(admin, "opportunity", opp["id"])["lines"][0]["id"]
    before = snapshot(service)
    preview = service.preview(
        admin,
        "opportunity",
        {
            "probability": "10",
            "lines": [{"id": line_id, "quantity": "3"}, {"product": "B", "unit_price": "1"}],
        },
        record_id=opp["id"],
    )
    assert preview.ok, preview.errors
    assert preview.values["name"] == "旧"  # untouched fields come from the stored record
    assert preview.values["weighted"] == "10.00"
    assert preview.values["product_total"] == "31.00"
    assert preview.values["lines"][0]["id"] == line_id
    assert preview.values["row_version"] == 1
    assert snapshot(service) == before
    # table rules are judged on the stored record merged with the draft
    assert service.preview(admin, "opportunity", {"stage": "won"}, record_id=opp["id"]).ok
    bare = service.create(admin, "opportunity", {"name": "空", "customer": customer["id"]})
    won = service.preview(admin, "opportunity", {"stage": "won"}, record_id=bare["id"])
    assert [(e.field, e.code) for e in won.errors] == [("amount", "rule")]


def test_unique_clash_is_reported_against_other_records_only(
    service: RecordService, admin, customer
):
    opp = service.create(admin, "opportunity", {"name": "甲", "customer": customer["id"]})
    service.create(admin, "activity", {"subject": "s", "ref": "R-1", "opportunity": opp["id"]})
    clash = service.preview(
        admin, "activity", {"subject": "t", "ref": "R-1", "opportunity": opp["id"]}
    )
    assert [(e.field, e.code) for e in clash.errors] == [("ref", "unique")]
    again = service.preview(admin, "opportunity", {"name": "甲"}, record_id=opp["id"])
    assert again.ok, again.errors


def test_preview_respects_actions_scope_and_field_access(
    service: RecordService, admin, people, customer
):
    zhang, li, qian = (people.actors[u] for u in ("zhang", "li", "qian"))
    mine = service.create(zhang, "opportunity", {"name": "张的", "customer": customer["id"]})
    service.update(admin, "opportunity", mine["id"], {"cost": "99"})

    shown = service.preview(zhang, "opportunity", {"name": "张改"}, record_id=mine["id"])
    assert shown.ok
    assert "cost" not in shown.values  # hidden for sales reps
    new = service.preview(zhang, "opportunity", {"name": "新", "customer": customer["id"]})
    assert "cost" not in new.values

    with pytest.raises(RecordNotFound):  # outside li's own-rows scope: existence not leaked
        service.preview(li, "opportunity", {"name": "x"}, record_id=mine["id"])
    with pytest.raises(PermissionDenied):  # customer_only may not create opportunities
        service.preview(qian, "opportunity", {"name": "x"})
    with pytest.raises(PermissionDenied):  # … nor update customers it may read
        service.preview(qian, "customer", {"name": "x"}, record_id=customer["id"])
    with pytest.raises(RecordNotFound):
        service.preview(admin, "opportunity", {}, record_id=10**6)
    with pytest.raises(RecordNotFound):
        service.preview(admin, "opportunity", {}, record_id="abc")  # type: ignore[arg-type]
    with pytest.raises(QueryError):
        service.preview(admin, "nope", {})

    masked = service.preview(zhang, "customer", {"phone": "13800000000"}, record_id=customer["id"])
    assert masked.values["phone"] != "13800000000"  # masked like a read

    refused = service.preview(zhang, "opportunity", {"name": "x", "probability": "5"})
    assert ("probability", "no_permission_field") in {(e.field, e.code) for e in refused.errors}


def test_deleted_records_cannot_be_previewed(service: RecordService, admin, customer):
    opp = service.create(admin, "opportunity", {"name": "甲", "customer": customer["id"]})
    service.delete(admin, "opportunity", opp["id"])
    with pytest.raises(RecordNotFound):
        service.preview(admin, "opportunity", {"name": "乙"}, record_id=opp["id"])
