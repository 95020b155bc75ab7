"""Shape validation: the assembled app document against the meta-schemas in ``schemas/``.

jsonschema finds every error (``iter_errors``); this module rewrites each one as a Finding
that says what was wrong and what is allowed, with a "did you mean" for near-miss names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from builder.model.problems import Finding, allowed_list, localized_text, suggest
from schemas import SCHEMA_NAMES, all_schemas, schema_registry, schema_uri


class FieldTypeInfo(Protocol):
    """What validation needs from a registered field type (form_engine.fields.FieldType)."""

    name: str
    config_schema: Mapping[str, Any]


def config_schemas(field_types: Iterable[FieldTypeInfo]) -> dict[str, Mapping[str, Any]]:
    """Type name → config schema, for :func:`schemas.field_schema`."""
    return {t.name: t.config_schema for t in field_types}


def app_validator(field_types: Iterable[FieldTypeInfo]) -> Draft202012Validator:
    """A validator of whole app documents that knows the given field types."""
    registry = schema_registry(config_schemas(field_types))
    schema = registry.contents(schema_uri("app"))
    return Draft202012Validator(schema, registry=registry)


def export_schemas(directory: str | Path, field_types: Iterable[FieldTypeInfo]) -> list[Path]:
    """Write every meta-schema, with the field schema assembled from ``field_types``, into
    ``directory`` (for editors and external tools that cannot ask the registry)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    schemas = all_schemas(config_schemas(field_types))
    written = []
    for name in SCHEMA_NAMES:
        target = out / f"{name}.schema.json"
        target.write_text(json.dumps(schemas[name], ensure_ascii=False, indent=2) + "\n", "utf-8")
        written.append(target)
    return written


def shape_findings(validator: Draft202012Validator, document: Any) -> Iterator[Finding]:
    """Every shape problem of ``document``, each worded for an analyst."""
    seen: set[tuple[Any, ...]] = set()  # required/additionalProperties repeat per branch
    for error in validator.iter_errors(document):
        for finding in _translate(error):
            params = json.dumps(finding.params, sort_keys=True, default=str)
            identity = (finding.path, finding.code, params)
            if identity not in seen:
                seen.add(identity)
                yield finding


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


_JSON_TYPES = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


_ZH_TITLES = {
    "field type": "字段类型",
    "action": "操作",
    "row scope": "数据范围",
    "field access": "字段权限",
    "operator": "运算符",
    "locale": "语言",
    "sort direction": "排序方向",
    "app key": "应用键",
    "table key": "表键",
    "field key": "字段键",
    "key": "键",
    "allowed value": "允许的值",
    "value": "值",
}
"""zh-CN names of the schema ``title``s used in messages (the schemas are in English)."""


def _zh(title: str) -> str:
    return _ZH_TITLES.get(title, title)


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


def _known_properties(schema: Mapping[str, Any]) -> list[str]:
    return sorted(schema.get("properties") or {})


def _is_declared(name: str, schema: Mapping[str, Any]) -> bool:
    if name in (schema.get("properties") or {}):
        return True
    return any(re.search(p, name) for p in schema.get("patternProperties") or {})


def _translate(error: ValidationError) -> Iterator[Finding]:
    path = tuple(error.absolute_path)
    keyword = error.validator
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    instance = error.instance
    if "propertyNames" in error.relative_schema_path and isinstance(instance, str):
        path = (*path, instance)
    what = schema.get("title") or "allowed value"

    if keyword in ("anyOf", "oneOf") and error.context:
        yield from _translate(best_match(error.context))
    elif keyword == "required" and isinstance(instance, Mapping):
        for name in error.validator_value:
            if name not in instance:
                yield Finding(path, "required", {"name": name})
    elif keyword == "additionalProperties" and isinstance(instance, Mapping):
        known = _known_properties(schema)
        for name in instance:
            if not _is_declared(name, schema):
                yield Finding(
                    (*path, name),
                    "unknown_property",
                    {"name": name},
                    allowed=allowed_list(known) or None,
                    suggestion=suggest(name, known),
                )
    elif keyword == "enum":
        options = list(error.validator_value)
        yield Finding(
            path,
            "not_allowed",
            {"value": _shown(instance), "what": localized_text(_a(what), _zh(what))},
            allowed=allowed_list(options),
            suggestion=suggest(instance, [o for o in options if isinstance(o, str)]),
        )
    elif keyword == "const":
        yield Finding(path, "const", {"expected": _shown(error.validator_value)})
    elif keyword == "type":
        expected = error.validator_value
        names = [expected] if isinstance(expected, str) else list(expected)
        yield Finding(
            path,
            "wrong_type",
            {
                "expected": " or ".join(_JSON_TYPES.get(n, n) for n in names),
                "actual": _json_type(instance),
            },
        )
    elif keyword == "pattern":
        title = schema.get("title") or "value"
        yield Finding(
            path,
            "bad_pattern",
            {"value": _shown(instance), "what": localized_text("a valid " + title, _zh(title))},
            allowed=schema.get("description") or f"text matching {error.validator_value}",
        )
    else:
        yield Finding(path, "schema", {"detail": error.message})
