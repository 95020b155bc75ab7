"""Shape errors from the meta-schemas, reworded with what is allowed."""

from __future__ import annotations

from typing import Any

from tests.builder.conftest import field, problems, table

Doc = dict[str, Any]


def test_unknown_property_suggests_the_near_miss(crm: Doc) -> None:
    field(crm, "customer", "name")["requried"] = True
    assert problems(crm) == [
        'app.json: tables[0].fields[0].requried: "requried" is not a known property (did you '
        'mean "required"?); allowed: config, default, default_formula, description, help, '
        "hidden, index, key, label, placeholder, readonly, readonly_when, renamed_from, "
        "required, required_when, type, unique, visible_when"
    ]


def test_bad_key_says_what_keys_look_like(crm: Doc) -> None:
    field(crm, "customer", "name")["key"] = "Name"
    found = problems(crm)
    assert found[0] == (
        'app.json: tables[0].fields[0].key: "Name" is not a valid field key; allowed: 1-40 '
        "lowercase letters, digits or _, starting with a letter"
    )


def test_wrong_json_type(crm: Doc) -> None:
    field(crm, "customer", "name")["required"] = "yes"
    assert problems(crm) == [
        "app.json: tables[0].fields[0].required: expected true or false, got a string"
    ]


def test_missing_required_property(crm: Doc) -> None:
    del table(crm, "customer")["label"]
    assert problems(crm) == ['app.json: tables[0]: missing required property "label"']


def test_config_is_checked_against_the_type_schema(crm: Doc) -> None:
    field(crm, "opportunity", "customer")["config"]["targt"] = "customer"
    assert problems(crm) == [
        'app.json: tables[1].fields[2].config.targt: "targt" is not a known property (did you '
        'mean "target"?); allowed: filter, on_delete, target'
    ]


def test_config_enum_names_the_allowed_values(crm: Doc) -> None:
    field(crm, "opportunity", "customer")["config"]["on_delete"] = "delete"
    assert problems(crm) == [
        'app.json: tables[1].fields[2].config.on_delete: "delete" is not an allowed value; '
        "allowed: restrict, set_null, cascade"
    ]


def test_schema_version_must_be_current_after_upgrade(crm: Doc) -> None:
    table(crm, "customer")["schema_version"] = 3
    assert problems(crm) == ["app.json: tables[0].schema_version: must be 1"]


def test_labels_need_a_locale_and_text(crm: Doc) -> None:
    table(crm, "customer")["label"] = {"zh-CN": ""}
    assert problems(crm) == ["app.json: tables[0].label[\"zh-CN\"]: '' should be non-empty"]


def test_messages_render_in_chinese(crm: Doc) -> None:
    from builder.model import validate_document

    field(crm, "customer", "name")["type"] = "txet"
    field(crm, "customer", "region")["key"] = "Region"
    rendered = [p.render("zh-CN") for p in validate_document(crm).problems]
    assert rendered[0] == (
        'app.json: tables[0].fields[0].type: "txet" 不是有效的字段类型（是否想用“text”？）；可选：'
        + ", ".join(_type_names())
    )
    assert rendered[1].startswith('app.json: tables[0].fields[1].key: "Region" 不是有效的字段键；')


def _type_names() -> list[str]:
    from form_engine.fields import default_registry

    return default_registry().names()
