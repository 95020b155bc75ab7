"""Contract suite: every registered field type, parametrised, against its examples."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from fieldtype_examples import EXAMPLES, Examples

from form_engine.fields import default_registry
from form_engine.fields.base import FieldType
from form_engine.kinds import OPERATORS
from form_engine.messages import CATALOG, ParseError
from schemas.spec import FieldSpec

REGISTRY = default_registry()
TYPES = REGISTRY.names()


def spec(name: str, config: dict[str, Any] | None = None) -> FieldSpec:
    config = EXAMPLES[name].config if config is None else config
    return FieldSpec(key="f", type=name, label={"zh-CN": "字段", "en": "Field"}, config=config)


def first_error(field_type: FieldType, raw: Any, field: FieldSpec) -> str | None:
    """The code of the first problem with ``raw``: from parse, else from validate."""
    try:
        value = field_type.parse(raw, field)
    except ParseError as exc:
        return exc.code
    errors = list(field_type.validate(value, field))
    return errors[0].code if errors else None


def cases(kind: str) -> list[Any]:
    params = []
    for name in TYPES:
        examples: Examples = EXAMPLES.get(name) or Examples({}, [], [])
        for index, case in enumerate(getattr(examples, kind)):
            params.append(pytest.param(name, *case, id=f"{name}-{index}"))
    return params


def test_every_registered_type_has_examples() -> None:
    assert sorted(EXAMPLES) == TYPES


@pytest.mark.parametrize("name", TYPES)
def test_type_declares_its_identity(name: str) -> None:
    field_type = REGISTRY.get(name)
    assert field_type.name == name
    assert field_type.label.get("zh-CN") and field_type.label.get("en")
    assert field_type.operators == OPERATORS[field_type.kind]
    assert field_type.operators_for(spec(name))
    assert EXAMPLES[name].valid and EXAMPLES[name].invalid


@pytest.mark.parametrize("name", TYPES)
def test_config_schema_is_a_closed_draft_2020_12_schema(name: str) -> None:
    schema = REGISTRY.get(name).config_schema
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    for key, prop in schema.get("properties", {}).items():
        assert prop.get("description"), f"{name}.config.{key} has no description"
    jsonschema.Draft202012Validator(schema).validate(EXAMPLES[name].config)
    assert list(REGISTRY.get(name).check_config(spec(name))) == []


@pytest.mark.parametrize("name", TYPES)
def test_config_schema_rejects_unknown_keys(name: str) -> None:
    validator = jsonschema.Draft202012Validator(REGISTRY.get(name).config_schema)
    assert not validator.is_valid({**EXAMPLES[name].config, "no_such_key": 1})


@pytest.mark.parametrize("name", TYPES)
def test_blank_input_is_no_value(name: str) -> None:
    field_type = REGISTRY.get(name)
    assert field_type.parse(None, spec(name)) is None
    assert field_type.parse("   ", spec(name)) is None


@pytest.mark.parametrize(("name", "raw", "expected"), cases("valid"))
def test_valid_input_parses_validates_and_round_trips(name: str, raw: Any, expected: Any) -> None:
    field_type, field = REGISTRY.get(name), spec(name)
    value = field_type.parse(raw, field)
    assert value == expected
    assert type(value) is type(expected)
    assert list(field_type.validate(value, field)) == []
    as_json = field_type.to_json(value, field)
    json.dumps(as_json, allow_nan=False)
    assert field_type.parse(as_json, field) == value
    for locale in ("zh-CN", "en"):
        cell = field_type.export(value, field, locale=locale)
        assert cell is None or (type(cell) in (str, int, float))
        if EXAMPLES[name].export_roundtrip:
            assert field_type.parse(cell, field) == value


@pytest.mark.parametrize(("name", "raw", "code"), cases("invalid"))
def test_invalid_input_gives_a_specific_localised_error(name: str, raw: Any, code: str) -> None:
    assert first_error(REGISTRY.get(name), raw, spec(name)) == code
    assert code in CATALOG


@pytest.mark.parametrize(("name", "raw", "code"), cases("invalid"))
def test_errors_render_in_both_locales(name: str, raw: Any, code: str) -> None:
    field_type, field = REGISTRY.get(name), spec(name)
    try:
        errors = list(field_type.validate(field_type.parse(raw, field), field))
    except ParseError as exc:
        errors = [exc.to_field_error(field.key, field.label)]
    zh, en = errors[0].message("zh-CN"), errors[0].message("en")
    assert "字段" in zh and "Field" in en
    assert "{" not in zh.replace("{'", "").replace('{"', "") and zh != en


@pytest.mark.parametrize("name", TYPES)
def test_columns_match_storage_flags(name: str) -> None:
    field_type, field = REGISTRY.get(name), spec(name)
    columns = field_type.columns(field)
    if not field_type.stored or hasattr(field_type, "system_column"):
        assert columns == []
        assert field_type.to_db("anything", field) == {}
    else:
        assert [c.name for c in columns] == ["f"]
