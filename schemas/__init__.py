"""The JSON meta-schemas (Draft 2020-12) of app definitions, and their loader.

The schema files in this package describe the shape of a definition. The one part they cannot
know statically is the set of field types: which ``type`` names exist and what each type's
``config`` looks like belong to the field-type registry of the form engine. Because this
package is the lowest layer, callers pass those in (``field_types``: type name → config
schema) and :func:`schema_registry` assembles the complete field schema from them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

BASE_URI = "https://kairos.dev/schemas/"
SCHEMA_NAMES = ("common", "condition", "field", "form", "table", "role", "app")
"""Every meta-schema file, as ``<name>.schema.json``."""


def schema_uri(name: str) -> str:
    """The ``$id`` of schema ``name``: ``schema_uri("table")`` → ``…/table.schema.json``."""
    return f"{BASE_URI}{name}.schema.json"


@cache
def _load(name: str) -> str:
    return resources.files(__name__).joinpath(f"{name}.schema.json").read_text("utf-8")


def load_schema(name: str) -> dict[str, Any]:
    """A fresh copy of the static schema ``name`` (e.g. ``"table"``), as stored on disk."""
    if name not in SCHEMA_NAMES:
        raise KeyError(f"unknown schema {name!r}; known: {', '.join(SCHEMA_NAMES)}")
    schema: dict[str, Any] = json.loads(_load(name))
    return schema


def field_schema(field_types: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The complete field schema for the given field types (name → config schema).

    ``type`` must be one of the names, and ``config`` must match the schema of the type named
    by ``type`` (one ``if``/``then`` per type, so an error names the exact config key).
    """
    schema = load_schema("field")
    names = sorted(field_types)
    schema["properties"]["type"] = {"title": "field type", "type": "string", "enum": names}
    schema["allOf"] = [
        {
            "if": {"properties": {"type": {"const": name}}, "required": ["type"]},
            "then": {"properties": {"config": copy.deepcopy(dict(field_types[name]))}},
        }
        for name in names
    ]
    return schema


def all_schemas(field_types: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """Every schema by name; with ``field_types`` the field schema is the assembled one."""
    schemas = {name: load_schema(name) for name in SCHEMA_NAMES}
    if field_types is not None:
        schemas["field"] = field_schema(field_types)
    return schemas


def schema_registry(
    field_types: Mapping[str, Mapping[str, Any]] | None = None,
) -> Registry[Any]:
    """A ``referencing`` registry holding every schema, so cross-file ``$ref`` resolve."""
    resources_ = [
        (schema_uri(name), Resource.from_contents(schema, default_specification=DRAFT202012))
        for name, schema in all_schemas(field_types).items()
    ]
    registry: Registry[Any] = Registry().with_resources(resources_)
    return registry.crawl()
