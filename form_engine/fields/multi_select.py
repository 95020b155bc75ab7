"""``multi_select``: several options out of a list, e.g. 意向产品."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields._config_messages import ConfigProblem
from form_engine.fields._options import (
    OPTIONS_SCHEMA,
    allowed_labels,
    check_options,
    option_label,
    options,
    resolve_option,
)
from form_engine.fields.base import FieldType, field_error, is_blank
from form_engine.fields.sqltypes import json_column_type
from form_engine.kinds import Kind
from form_engine.messages import FieldError, ParseError
from schemas.spec import DEFAULT_LOCALE, FieldSpec, Label

_SEPARATORS = re.compile(r"[,，;；、|\n]")
EXPORT_SEPARATOR = ", "


class MultiSelectField(FieldType):
    """A JSON list of option keys in the order chosen, without duplicates. Text input is
    split on ``,`` ``，`` ``;`` ``；`` ``、`` ``|`` or new lines."""

    name = "multi_select"
    label: ClassVar[Label] = {"zh-CN": "多选", "en": "Multi select"}
    kind = Kind.CHOICES
    sortable = False
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["options"],
        "properties": {
            "options": OPTIONS_SCHEMA,
            "max_choices": {
                "type": "integer",
                "minimum": 1,
                "description": "Most options one record may have.",
            },
        },
    }

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return json_column_type()

    def parse(self, raw: Any, field: FieldSpec) -> list[str] | None:
        if is_blank(raw):
            return None
        if isinstance(raw, str):
            items: list[Any] = [part.strip() for part in _SEPARATORS.split(raw)]
        elif isinstance(raw, list | tuple | set | frozenset):
            items = list(raw)
        else:
            raise ParseError("not_a_list", value=raw)
        keys: list[str] = []
        for item in items:
            if is_blank(item):
                continue
            key = resolve_option(item.strip() if isinstance(item, str) else item, field)
            if key not in keys:
                keys.append(key)
        return keys or None

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        if not isinstance(value, list):
            yield field_error(field, "not_a_list", value=value)
            return
        known = {o["key"] for o in options(field)}
        for key in value:
            if key not in known:
                yield field_error(field, "not_an_option", value=key, allowed=allowed_labels(field))
        maximum = field.config.get("max_choices")
        if maximum is not None and len(value) > maximum:
            yield field_error(field, "too_many_options", max=maximum)

    def export(self, value: Any, field: FieldSpec, *, locale: str = DEFAULT_LOCALE) -> Any:
        if not value:
            return None
        return EXPORT_SEPARATOR.join(option_label(key, field, locale) for key in value)

    def check_config(self, field: FieldSpec) -> Iterator[str]:
        yield from check_options(field)
        maximum = field.config.get("max_choices")
        if maximum is not None and maximum > len(options(field)):
            yield ConfigProblem("max_choices_over_options", max=maximum, count=len(options(field)))
