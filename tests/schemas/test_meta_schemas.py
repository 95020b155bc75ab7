"""The meta-schemas are valid Draft 2020-12, cross-reference each other, and agree with the
engines (operators, field types, reserved keys)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from form_engine.kinds import OPERATORS
from schemas import (
    SCHEMA_NAMES,
    all_schemas,
    field_schema,
    load_schema,
    schema_registry,
    schema_uri,
)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_each_schema_is_valid_draft_2020_12(name: str) -> None:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == f"https://kairos.dev/schemas/{name}.schema.json"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_unknown_schema_name_is_refused() -> None:
    with pytest.raises(KeyError, match="unknown schema 'flow'"):
        load_schema("flow")


def test_cross_references_resolve_through_the_registry() -> None:
    registry = schema_registry()
    validator = Draft202012Validator(registry.contents(schema_uri("table")), registry=registry)
    table = {
        "key": "t",
        "label": {"en": "T"},
        "fields": [
            {
                "key": "a",
                "type": "anything",
                "visible_when": {"not": {"field": "a", "op": "is_empty"}},
            }
        ],
    }
    assert list(validator.iter_errors(table)) == []
    table["fields"][0]["visible_when"] = {"not": {"field": "a", "op": "isempty"}}
    [error] = validator.iter_errors(table)
    assert list(error.absolute_path) == ["fields", 0, "visible_when", "not", "op"]


def test_condition_operators_are_the_kinds_operators() -> None:
    leaf = load_schema("condition")["$defs"]["leaf"]
    assert set(leaf["properties"]["op"]["enum"]) == set().union(*OPERATORS.values())


def test_field_schema_is_assembled_from_config_schemas() -> None:
    schema = field_schema({"b": {"type": "object", "required": ["x"]}, "a": {"type": "object"}})
    assert schema["properties"]["type"]["enum"] == ["a", "b"]
    Draft202012Validator.check_schema(schema)
    registry = schema_registry({"b": {"type": "object", "required": ["x"]}})
    validator = Draft202012Validator(registry.contents(schema_uri("field")), registry=registry)
    errors = list(validator.iter_errors({"key": "f", "type": "b", "config": {}}))
    assert [e.message for e in errors] == ["'x' is a required property"]


def test_static_field_schema_leaves_types_to_the_registry() -> None:
    assert "enum" not in all_schemas()["field"]["properties"]["type"]


def test_export_writes_every_schema_with_registered_types(tmp_path: Path) -> None:
    from builder.model import export_schemas
    from form_engine.fields import default_registry

    written = export_schemas(tmp_path)
    assert sorted(p.name for p in written) == sorted(f"{n}.schema.json" for n in SCHEMA_NAMES)
    field = json.loads((tmp_path / "field.schema.json").read_text("utf-8"))
    assert field["properties"]["type"]["enum"] == default_registry().names()
    assert len(field["allOf"]) == len(default_registry().names())
