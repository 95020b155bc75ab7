"""Shared behaviour of the string-valued types: coercion from cells and length limits."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from form_engine.fields._config_messages import ConfigProblem
from form_engine.fields._numbers import strip_zeros
from form_engine.fields.base import FieldType, field_error, is_blank
from form_engine.messages import FieldError, ParseError
from schemas.spec import FieldSpec

NOT_TEXT = {"zh-CN": "应为文本", "en": "must be text"}


def coerce_text(raw: Any) -> str:
    """A str from form text or a spreadsheet cell (``12345.0`` → ``"12345"``)."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        raise ParseError("invalid", value=raw, detail=NOT_TEXT)
    if isinstance(raw, int):
        return str(raw)
    return str(strip_zeros(Decimal(repr(raw)) if isinstance(raw, float) else raw))


def length_schema(default: int | None, maximum: int) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "integer",
        "minimum": 1,
        "maximum": maximum,
        "description": "Most characters allowed.",
    }
    if default is not None:
        schema["default"] = default
    return schema


class TextLikeFieldType(FieldType):
    """A string value with optional ``min_length``/``max_length``."""

    default_max_length: int | None = None

    def parse(self, raw: Any, field: FieldSpec) -> str | None:
        if is_blank(raw):
            return None
        return coerce_text(raw).strip()

    def max_length(self, field: FieldSpec) -> int | None:
        return field.config.get("max_length", self.default_max_length)

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        if not isinstance(value, str):
            yield field_error(field, "invalid", value=value, detail=NOT_TEXT)
            return
        maximum, minimum = self.max_length(field), field.config.get("min_length")
        if maximum is not None and len(value) > maximum:
            yield field_error(field, "max_length", max=maximum)
        if minimum is not None and len(value) < minimum:
            yield field_error(field, "min_length", min=minimum)

    def check_config(self, field: FieldSpec) -> Iterator[str]:
        maximum, minimum = self.max_length(field), field.config.get("min_length")
        if maximum is not None and minimum is not None and minimum > maximum:
            yield ConfigProblem("min_length_greater_than_max", min=minimum, max=maximum)
