"""JSON Schemas of records, per table of the published definition, for the OpenAPI document.

A field's schema follows what its type's ``to_json`` produces (output) and what its
``parse`` takes from JSON (input): the value kind decides the JSON type, the type name
refines it (money is a decimal string, an address an object …). Computed, system and
``readonly`` fields are ``readOnly`` and absent from the input schemas. Types this module
does not know (plugins) fall back on their kind, so a new type is documented at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from form_engine.fields.base import FieldType
from form_engine.kinds import Kind
from runtime.records._plan import TablePlan
from schemas.spec import LOCALES, FieldSpec, TableSpec, localize

JSONSchema = dict[str, Any]

DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"
MAX_ID = 2**63 - 1

ID: JSONSchema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
OPTIONAL_ID: JSONSchema = {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID}
TIMESTAMP: JSONSchema = {"type": "string", "format": "date-time"}

_BY_KIND: Mapping[Kind, JSONSchema] = {
    Kind.TEXT: {"type": "string"},
    Kind.NUMBER: {"type": "number"},
    Kind.DECIMAL: {"type": "string", "pattern": DECIMAL_PATTERN},
    Kind.DATE: {"type": "string", "format": "date"},
    Kind.DATETIME: TIMESTAMP,
    Kind.TIME: {"type": "string", "pattern": TIME_PATTERN},
    Kind.DURATION: {"type": "integer", "minimum": 0},
    Kind.BOOL: {"type": "boolean"},
    Kind.CHOICE: {"type": "string"},
    Kind.CHOICES: {"type": "array", "items": {"type": "string"}},
    Kind.REF: ID,
    Kind.JSON: {},
    Kind.ROWS: {"type": "array", "items": {"type": "object"}},
}

_FILE: JSONSchema = {
    "type": "object",
    "required": ["name", "file_id", "size", "content_type"],
    "properties": {
        "name": {"type": "string"},
        "file_id": {"type": "string"},
        "size": {"type": "integer", "minimum": 0},
        "content_type": {"type": "string"},
    },
}

_BY_TYPE: Mapping[str, JSONSchema] = {
    "rating": {"type": "integer", "minimum": 0},
    "address": {
        "type": "object",
        "properties": {
            part: {"type": "string"} for part in ("province", "city", "district", "detail")
        },
        "additionalProperties": False,
    },
    "location": {
        "type": "object",
        "required": ["lat", "lng"],
        "properties": {
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
            "lng": {"type": "number", "minimum": -180, "maximum": 180},
            "address": {"type": "string"},
        },
        "additionalProperties": False,
    },
    "attachment": {"type": "array", "items": _FILE},
    "image": {"type": "array", "items": _FILE},
    "signature": {"type": "string", "description": "PNG image as a data: URL"},
    "email": {"type": "string", "format": "email"},
    "url": {"type": "string", "format": "uri"},
}

SYSTEM_PROPERTIES: Mapping[str, JSONSchema] = {
    "id": {**ID, "readOnly": True},
    "row_version": {"type": "integer", "minimum": 1, "readOnly": True},
    "created_at": {**TIMESTAMP, "readOnly": True},
    "updated_at": {**TIMESTAMP, "readOnly": True},
    "created_by": {**OPTIONAL_ID, "readOnly": True},
    "updated_by": {**OPTIONAL_ID, "readOnly": True},
    "owner_id": {**OPTIONAL_ID, "readOnly": True},
    "deleted_at": {
        "type": ["string", "null"],
        "format": "date-time",
        "readOnly": True,
        "description": "Only on records in the recycle bin.",
    },
}
CHILD_PROPERTIES: Mapping[str, JSONSchema] = {
    "parent_id": {**ID, "readOnly": True},
    "row_order": {"type": "integer", "readOnly": True},
}
RECORD_REQUIRED = ("id", "row_version", "created_at", "updated_at", "created_by", "owner_id")


def ref(name: str) -> JSONSchema:
    return {"$ref": f"#/components/schemas/{name}"}


def record_name(table: str) -> str:
    return f"{table}.Record"


def input_name(table: str, mode: str) -> str:
    """``mode``: ``create``, ``update`` or ``row`` (a child row inside its parent)."""
    return f"{table}.{mode.title()}"


def label_text(label: Any, help_text: Any = None) -> str:
    """Both languages of a label (and its help), for descriptions read by everyone."""
    parts = [localize(label, locale) for locale in LOCALES]
    text = " / ".join(dict.fromkeys(p for p in parts if p))
    if help_text:
        text += " — " + localize(help_text, LOCALES[0])
    return text


def value_schema(field_type: FieldType, spec: FieldSpec, *, for_input: bool) -> JSONSchema:
    """The JSON Schema of one non-null value of ``spec`` (child tables excluded)."""
    result = getattr(field_type, "result_field", None)
    registry = field_type.registry
    if callable(result) and registry is not None:
        resolved = result(spec)  # lookup / rollup / formula: the result type's shape
        if resolved is not None and resolved.type in registry:
            return value_schema(registry.get(resolved.type), resolved, for_input=for_input)
    kind = field_type.kind_of(spec)
    schema = dict(_BY_TYPE.get(spec.type) or _BY_KIND.get(kind, {}))
    config = spec.config
    if kind is Kind.NUMBER and spec.type == "number" and int(config.get("precision", 0)) == 0:
        schema["type"] = "integer"
    options = [o["key"] for o in config.get("options") or () if "key" in o]
    if kind is Kind.CHOICE and options:
        schema["enum"] = options
    if kind is Kind.CHOICES and options:
        schema["items"] = {"type": "string", "enum": options}
        schema["uniqueItems"] = True
    if for_input:
        _input_bounds(schema, field_type, spec, kind)
    return schema


def _input_bounds(schema: JSONSchema, field_type: FieldType, spec: FieldSpec, kind: Kind) -> None:
    """Limits the service enforces on input (stored values may predate a stricter config)."""
    config = spec.config
    if kind is Kind.TEXT:
        maximum = getattr(field_type, "max_length", None)
        limit = maximum(spec) if callable(maximum) else None
        if limit:
            schema["maxLength"] = int(limit)
    if spec.type == "rating":
        schema["maximum"] = int(config.get("max", 5))
    if kind is Kind.NUMBER and spec.type != "rating":
        for word, keyword in (("min", "minimum"), ("max", "maximum")):
            if config.get(word) is not None:
                schema[keyword] = config[word]
    if kind is Kind.CHOICES and config.get("max_choices"):
        schema["maxItems"] = int(config["max_choices"])


def nullable(schema: JSONSchema) -> JSONSchema:
    """``schema`` or null (every field may be empty)."""
    kind = schema.get("type")
    if kind is None:
        return schema  # any JSON value, null included
    if isinstance(kind, str):
        kind = [kind]
    out = dict(schema)
    out["type"] = [*kind, "null"] if "null" not in kind else kind
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


def masked_fields(spec_roles: Any, table: str) -> set[str]:
    """Fields some role sees masked: their output may be a mask such as ``138****5678``."""
    out: set[str] = set()
    for role in spec_roles:
        permission = role.for_table(table)
        if permission is not None:
            out |= {key for key, level in permission.fields.items() if level == "masked"}
    return out


def table_schemas(roles: Any, plan: TablePlan) -> dict[str, Any]:
    """Component schemas for one table: its record, and (top-level tables) create/update."""
    spec: TableSpec = plan.spec
    masked = masked_fields(roles, spec.key)
    record: dict[str, JSONSchema] = dict(SYSTEM_PROPERTIES)
    if plan.parent:
        record.update(CHILD_PROPERTIES)
    writable: dict[str, JSONSchema] = {}
    required: list[str] = []
    for key, field in plan.fields.items():
        fspec = field.spec
        read_only = field.computed or fspec.readonly
        described = {
            "title": localize(fspec.label),
            "description": label_text(fspec.label, fspec.help),
        }
        described["x-kairos-type"] = fspec.type
        if field.is_child_table:
            child = fspec.config.get("table")
            out = {"type": "array", "items": {"$ref": f"#/components/schemas/{record_name(child)}"}}
            record[key] = {**out, **described}
            if not read_only:
                item = {"$ref": f"#/components/schemas/{input_name(child, 'row')}"}
                writable[key] = {"type": ["array", "null"], "items": item, **described}
            continue
        value = value_schema(field.type, fspec, for_input=False)
        shown = nullable(value)
        if key in masked:
            shown = {"anyOf": [shown, {"type": "string", "description": "masked"}]}
        record[key] = {**shown, **described, **({"readOnly": True} if read_only else {})}
        if read_only:
            continue
        writable[key] = {**nullable(value_schema(field.type, fspec, for_input=True)), **described}
        if fspec.required and fspec.default is None and not fspec.default_formula:
            required.append(key)
    out: dict[str, Any] = {
        record_name(spec.key): {
            "type": "object",
            "title": localize(spec.label),
            "description": label_text(spec.label, spec.description),
            "required": [*RECORD_REQUIRED, *(CHILD_PROPERTIES if plan.parent else ())],
            "properties": record,
        }
    }
    id_and_version = {
        "id": {**ID, "description": "Ignored on create; on update the record's own id."},
        "row_version": {
            "type": "integer",
            "minimum": 1,
            "description": "Concurrency token: the row_version read; 409 when stale.",
        },
        "owner_id": {
            **OPTIONAL_ID,
            "description": "Owner (user id); administrators and roles with share only.",
        },
    }
    if plan.parent:
        out[input_name(spec.key, "row")] = {
            "type": "object",
            "description": "A child row: with id it updates that row, without it adds one.",
            "properties": {"id": ID, **writable},
            "additionalProperties": False,
        }
        return out
    out[input_name(spec.key, "create")] = {
        "type": "object",
        "title": localize(spec.label),
        "required": required,
        "properties": {**writable, **id_and_version},
        "additionalProperties": False,
    }
    out[input_name(spec.key, "update")] = {
        "type": "object",
        "title": localize(spec.label),
        "properties": {**writable, **id_and_version},
        "additionalProperties": False,
    }
    return out


def common_schemas() -> dict[str, Any]:
    """Problem details, bulk results, aggregates, /me and /tables: shared by all tables."""
    label = {"type": "object", "properties": {locale: {"type": "string"} for locale in LOCALES}}
    return {
        "Problem": {
            "type": "object",
            "description": "RFC 9457 problem details",
            "required": ["type", "title", "status"],
            "properties": {
                "type": {
                    "type": "string",
                    "format": "uri",
                    "examples": ["https://kairos.dev/problems/validation"],
                },
                "title": {"type": "string"},
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "detail": {"type": "string"},
                "instance": {"type": "string"},
                "code": {"type": "string"},
                "errors": {"type": "array", "items": ref("FieldProblem")},
                "row_version": {"type": "integer"},
                "updated_by_name": {"type": ["string", "null"]},
                "updated_at": {"type": ["string", "null"], "format": "date-time"},
            },
        },
        "FieldProblem": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "field": {"type": ["string", "null"]},
                "code": {"type": "string"},
                "message": {"type": "string"},
            },
        },
        "BulkResult": {
            "type": "object",
            "required": ["results", "failed"],
            "properties": {
                "results": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["index", "status"],
                        "properties": {
                            "index": {"type": "integer", "minimum": 0},
                            "status": {"type": "integer"},
                            "id": ID,
                            "record": {"type": "object"},
                            "problem": ref("Problem"),
                        },
                    },
                },
                "created": {"type": "integer", "minimum": 0},
                "updated": {"type": "integer", "minimum": 0},
                "failed": {"type": "integer", "minimum": 0},
            },
        },
        "Aggregate": {
            "type": "object",
            "required": ["data"],
            "properties": {"data": {"type": "array", "items": {"type": "object"}}},
        },
        "Me": {
            "type": "object",
            "required": ["id", "username", "display_name", "locale", "token"],
            "properties": {
                "id": ID,
                "username": {"type": "string"},
                "display_name": {"type": "string"},
                "locale": {"type": "string", "enum": list(LOCALES)},
                "token": {
                    "type": "object",
                    "required": ["name", "tables", "access"],
                    "properties": {
                        "name": {"type": "string"},
                        "tables": {"type": "array", "items": {"type": "string"}},
                        "access": {"type": "string", "enum": ["read", "write"]},
                    },
                },
            },
        },
        "Tables": {
            "type": "object",
            "required": ["data"],
            "properties": {
                "data": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["key", "label", "actions"],
                        "properties": {
                            "key": {"type": "string"},
                            "label": label,
                            "actions": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                }
            },
        },
    }
