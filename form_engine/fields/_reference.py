"""Shared behaviour of fields holding the integer id of another row (relation, user,
department): input may be an int, a numeric string or ``{"id": n}``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import sqlalchemy as sa

from form_engine.fields._numbers import normalize_text
from form_engine.fields.base import FieldType, field_error, is_blank
from form_engine.kinds import Kind
from form_engine.messages import FieldError, ParseError
from schemas.spec import FieldSpec


def parse_reference(raw: Any) -> int:
    """A positive int id from ``7``, ``"7"``, ``7.0`` or ``{"id": 7}``."""
    value = raw.get("id") if isinstance(raw, Mapping) else raw
    if isinstance(value, str) and normalize_text(value).isdigit():
        value = int(normalize_text(value))
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ParseError("not_a_reference", value=raw)
    return value


class ReferenceFieldType(FieldType):
    """Stores the id in an integer column. That the row exists is checked by the record
    service (``not_found_reference``), which can see the database."""

    kind = Kind.REF

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return sa.Integer()

    def parse(self, raw: Any, field: FieldSpec) -> int | None:
        if is_blank(raw) or (isinstance(raw, Mapping) and is_blank(raw.get("id"))):
            return None
        return parse_reference(raw)

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            yield field_error(field, "not_a_reference", value=value)
