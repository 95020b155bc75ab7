"""Shared behaviour of the string-valued types: coercion from cells and length limits."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields._config_messages import ConfigProblem
from form_engine.fields._numbers import strip_zeros
from form_engine.fields.base import FieldType, field_error, is_blank
from form_engine.kinds import Kind
from form_engine.messages import FieldError, ParseError
from schemas.spec import FieldSpec

NOT_TEXT = {"zh-CN": "应为文本", "en": "must be text"}
LONG_TEXT_LIMIT = 1_000_000
"""Largest ``max_length`` of the types stored in a TEXT column."""


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


class LongTextLikeFieldType(TextLikeFieldType):
    """Text kept in an unbounded TEXT column (long text, rich text); ``max_length`` is an
    optional limit checked on input, up to ``LONG_TEXT_LIMIT`` characters."""

    kind = Kind.TEXT
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"max_length": length_schema(None, LONG_TEXT_LIMIT)},
    }

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return sa.Text()


class FormattedTextFieldType(FieldType):
    """Text in one fixed format (email, URL, phone): normalised on the way in, then checked
    by one rule, with one message code for input and stored values that break it."""

    kind = Kind.TEXT
    max_chars: ClassVar[int]
    """Width of the column; the format's rule also caps the length."""
    error_code: ClassVar[str]

    def normalize(self, text: str) -> str | None:
        """The stored form of ``text`` (a cell already turned into a str), or None when it
        cannot be one."""
        raise NotImplementedError(f"{type(self).__name__} must define normalize")

    def conforms(self, value: str) -> bool:
        """Whether ``value`` is in the stored form."""
        raise NotImplementedError(f"{type(self).__name__} must define conforms")

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return sa.String(self.max_chars)

    def parse(self, raw: Any, field: FieldSpec) -> str | None:
        if is_blank(raw):
            return None
        value = self.normalize(coerce_text(raw))
        if value is None or not self.conforms(value):
            raise ParseError(self.error_code, value=raw)
        return value

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        if not isinstance(value, str) or not self.conforms(value):
            yield field_error(field, self.error_code, value=value)
