"""Validation: every error at once, per field, in zh-CN and en."""

from __future__ import annotations

import pytest

from runtime.records import RecordService, RecordValidationError
from runtime.records.actor import Actor


def _errors(call) -> dict:
    with pytest.raises(RecordValidationError) as caught:
        call()
    return caught.value


def test_every_problem_is_reported_at_once(service: RecordService, admin, make_customer):
    error = _errors(
        lambda: service.create(
            admin,
            "opportunity",
            {
                "name": "x" * 41,  # too long
                "amount": "lots",  # not a number
                "probability": 120,  # above max
                "stage": "nonsense",  # not an option
                "weighted": "1",  # computed
                "bogus": 1,  # unknown
            },
        )
    )
    codes = error.codes()
    assert codes["name"] == ["max_length"]
    assert codes["amount"] == ["not_a_number"]
    assert codes["probability"] == ["max_value"]
    assert codes["stage"] == ["not_an_option"]
    assert codes["weighted"] == ["computed"]
    assert codes["bogus"] == ["unknown_field"]
    assert codes["customer"] == ["required"]
    zh, en = error.by_field("zh-CN"), error.by_field("en")
    assert zh["customer"] == ["客户为必填项"]
    assert en["customer"] == ["Customer is required"]
    as_dict = error.as_dict("en")
    assert {e["field"] for e in as_dict["errors"]} == set(codes)
    assert all(set(e["messages"]) == {"zh-CN", "en"} for e in as_dict["errors"])


def test_parse_error_is_not_doubled_by_required(service: RecordService, admin):
    error = _errors(lambda: service.create(admin, "customer", {"name": None, "credit_limit": "x"}))
    assert error.codes() == {"name": ["required"], "credit_limit": ["not_a_number"]}


def test_conditional_required_and_visibility(service: RecordService, admin, make_customer):
    customer = make_customer()
    base = {"name": "A", "customer": customer["id"]}
    error = _errors(lambda: service.create(admin, "opportunity", {**base, "stage": "lost"}))
    assert error.codes() == {"lost_reason": ["required"]}
    lost = service.create(admin, "opportunity", {**base, "stage": "lost", "lost_reason": "价格"})
    assert lost["lost_reason"] == "价格"
    # hidden by its condition: not required, but the stored value is kept (not wiped)
    reopened = service.update(admin, "opportunity", lost["id"], {"stage": "open"})
    assert reopened["lost_reason"] == "价格"
    lost_again = service.update(admin, "opportunity", lost["id"], {"stage": "lost"})
    assert lost_again["lost_reason"] == "价格"
    hidden = service.create(admin, "opportunity", {**base, "name": "B", "lost_reason": "x"})
    assert hidden["lost_reason"] == "x"
    emptied = service.update(
        admin, "opportunity", lost["id"], {"stage": "open", "lost_reason": None}
    )
    assert emptied["lost_reason"] is None  # not required while hidden


def test_table_rule_message_is_localised(service: RecordService, admin, make_customer):
    customer = make_customer()
    error = _errors(
        lambda: service.create(
            admin, "opportunity", {"name": "A", "customer": customer["id"], "stage": "won"}
        )
    )
    assert error.codes() == {"amount": ["rule"]}
    assert error.by_field("zh-CN") == {"amount": ["赢单商机的金额必须大于 0"]}
    assert error.by_field("en") == {"amount": ["A won opportunity needs an amount"]}


def test_readonly_when_blocks_changes_once_the_condition_held(
    service: RecordService, admin, make_customer
):
    customer = make_customer()
    opp = service.create(
        admin,
        "opportunity",
        {
            "name": "A",
            "customer": customer["id"],
            "stage": "won",
            "amount": "10",
            "contract_no": "HT-1",
        },
    )
    error = _errors(
        lambda: service.update(admin, "opportunity", opp["id"], {"contract_no": "HT-2"})
    )
    assert error.codes() == {"contract_no": ["read_only"]}
    # sending the same value back is fine
    service.update(admin, "opportunity", opp["id"], {"contract_no": "HT-1", "name": "A2"})


def test_system_columns_cannot_be_written(service: RecordService, admin, make_customer):
    customer = make_customer()
    error = _errors(
        lambda: service.update(
            admin, "customer", customer["id"], {"created_at": "2020-01-01", "deleted_at": None}
        )
    )
    assert error.codes() == {"created_at": ["read_only"], "deleted_at": ["read_only"]}


def test_unique_field_and_combo_among_live_records(service: RecordService, admin, make_customer):
    first = make_customer(name="华为")
    error = _errors(lambda: make_customer(name="华为"))
    assert error.codes() == {"name": ["unique"]}
    assert "华为" in error.by_field("zh-CN")["name"][0]
    opp = service.create(admin, "opportunity", {"name": "A", "customer": first["id"]})
    error = _errors(
        lambda: service.create(admin, "opportunity", {"name": "A", "customer": first["id"]})
    )
    assert error.codes() == {"customer": ["unique_together"]}
    # a deleted record does not block re-creating it
    service.delete(admin, "opportunity", opp["id"])
    again = service.create(admin, "opportunity", {"name": "A", "customer": first["id"]})
    # ... but restoring the old one now collides, with the same error
    error = _errors(lambda: service.restore(admin, "opportunity", opp["id"]))
    assert error.codes() == {"customer": ["unique_together"]}
    assert service.get(admin, "opportunity", again["id"])["name"] == "A"


def test_unique_index_is_the_last_word(service: RecordService, admin, make_customer, monkeypatch):
    """Even when the pre-check misses (a concurrent insert), the index error is translated."""
    from runtime.records import _prepare

    make_customer(name="华为")
    monkeypatch.setattr(_prepare, "check_unique", lambda *a, **k: iter(()))
    error = _errors(lambda: make_customer(name="华为"))
    assert error.codes() == {"name": ["unique"]}


def test_relation_to_deleted_or_missing_record_is_rejected(
    service: RecordService, admin, make_customer
):
    gone = make_customer()
    service.delete(admin, "customer", gone["id"])
    for target in (gone["id"], 9999):
        error = _errors(
            lambda t=target: service.create(admin, "opportunity", {"name": "A", "customer": t})
        )
        assert error.codes() == {"customer": ["not_found_reference"]}


def test_readonly_field_needs_a_trusted_channel(service: RecordService, tables, engine, people):
    from dataclasses import replace

    spec = tables.app.table("customer")
    field = replace(spec.field("region"), readonly=True)
    assert field.readonly  # the service reads the spec from its plan; build a new app
    from form_engine.fields import default_registry
    from runtime.storage.tables import AppTables
    from schemas.spec import AppSpec

    app = tables.app
    table = replace(spec, fields=tuple(field if f.key == "region" else f for f in spec.fields))
    readonly_app = replace(
        app, tables=tuple(table if t.key == "customer" else t for t in app.tables)
    )
    assert isinstance(readonly_app, AppSpec)
    ro = RecordService(engine, AppTables(readonly_app, default_registry()))
    admin = people.actors["admin"]
    error = _errors(lambda: ro.create(admin, "customer", {"name": "A", "region": "east"}))
    assert error.codes() == {"region": ["read_only"]}
    made = ro.create(Actor.system(channel="flow"), "customer", {"name": "A", "region": "east"})
    assert made["region"] == "east"
