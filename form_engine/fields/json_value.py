"""``json``: any JSON value, optionally constrained by a JSON Schema in ``config.schema``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ClassVar

import jsonschema
import sqlalchemy as sa

from form_engine.fields._config_messages import ConfigProblem
from form_engine.fields.base import FieldType, field_error, is_blank
from form_engine.fields.sqltypes import json_column_type
from form_engine.kinds import Kind
from form_engine.messages import FieldError, ParseError
from schemas.spec import DEFAULT_LOCALE, FieldSpec, Label


class JsonField(FieldType):
    """Text input is JSON text (``'{"a": 1}'``); anything else must already be JSON data
    (dicts, lists, str, numbers, booleans)."""

    name = "json"
    label: ClassVar[Label] = {"zh-CN": "JSON", "en": "JSON"}
    kind = Kind.JSON
    sortable = False
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "schema": {
                "type": "object",
                "description": "JSON Schema (Draft 2020-12) every value must match.",
            }
        },
    }

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return json_column_type()

    def parse(self, raw: Any, field: FieldSpec) -> Any:
        if is_blank(raw):
            return None
        if isinstance(raw, str):
            try:
                return json.loads(raw)
            except ValueError as exc:
                raise ParseError("not_json", value=raw, detail=str(exc)) from None
        try:
            json.dumps(raw, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ParseError("not_json", value=repr(raw), detail=str(exc)) from None
        return raw

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        schema = field.config.get("schema")
        if schema is None:
            return
        validator = jsonschema.Draft202012Validator(schema)
        for error in sorted(validator.iter_errors(value), key=lambda e: list(e.path)):
            path = "/" + "/".join(str(p) for p in error.absolute_path)
            yield field_error(field, "json_schema", path=path, detail=error.message)

    def export(self, value: Any, field: FieldSpec, *, locale: str = DEFAULT_LOCALE) -> Any:
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def check_config(self, field: FieldSpec) -> Iterator[str]:
        schema = field.config.get("schema")
        if schema is not None:
            try:
                jsonschema.Draft202012Validator.check_schema(schema)
            except jsonschema.SchemaError as exc:
                yield ConfigProblem("bad_json_schema", detail=exc.message)
