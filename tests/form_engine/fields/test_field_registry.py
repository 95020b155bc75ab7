"""The registry: built-ins and plugins load through one entry-point hook."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from form_engine.fields import (
    BUILTIN_ENTRY_POINT,
    ENTRY_POINT_GROUP,
    DuplicateFieldType,
    FieldTypeRegistry,
    default_registry,
    load_field_types,
)
from form_engine.fields._builtin import field_types
from form_engine.fields.text import TextField
from form_engine.kinds import Kind

DEFINITION_TYPES = [
    "text",
    "long_text",
    "rich_text",
    "number",
    "money",
    "percent",
    "date",
    "datetime",
    "time",
    "duration",
    "single_select",
    "multi_select",
    "checkbox",
    "rating",
    "email",
    "phone",
    "url",
    "user",
    "department",
    "relation",
    "child_table",
    "lookup",
    "rollup",
    "formula",
    "auto_number",
    "attachment",
    "image",
    "address",
    "location",
    "signature",
    "json",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
]


class StarField(TextField):
    name = "star_sign"
    label = {"zh-CN": "星座", "en": "Star sign"}  # noqa: RUF012
    kind = Kind.TEXT


def plugin_types() -> list[type]:
    return [StarField]


def not_a_list() -> str:
    return "oops"


def entry(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)


def test_default_registry_has_exactly_the_documented_types_and_is_closed() -> None:
    registry = default_registry()
    assert sorted(registry.names()) == sorted(DEFINITION_TYPES)
    assert registry is default_registry()
    assert registry.closed
    with pytest.raises(RuntimeError, match="closed"):
        registry.register(StarField)
    assert all(t.registry is registry for t in registry)


def test_plugins_register_through_the_entry_point_and_the_builtin_one_is_skipped() -> None:
    registry = FieldTypeRegistry()
    load_field_types(
        registry,
        [entry("builtin", BUILTIN_ENTRY_POINT), entry("stars", f"{__name__}:plugin_types")],
    )
    assert "star_sign" in registry
    assert len(registry.names()) == len(field_types()) + 1


def test_duplicate_type_names_fail() -> None:
    registry = FieldTypeRegistry()
    with pytest.raises(DuplicateFieldType, match="'star_sign' is registered twice"):
        load_field_types(
            registry,
            [entry("a", f"{__name__}:plugin_types"), entry("b", f"{__name__}:plugin_types")],
        )


def test_a_plugin_must_return_field_type_classes() -> None:
    with pytest.raises(TypeError, match="list of FieldType subclasses"):
        load_field_types(FieldTypeRegistry(), [entry("bad", f"{__name__}:not_a_list")])
