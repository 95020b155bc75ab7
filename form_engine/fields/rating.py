"""``rating``: a whole number of stars from 0 to ``max``, e.g. 客户满意度."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields._numbers import normalize_text, parse_decimal
from form_engine.fields.base import FieldType, field_error, is_blank
from form_engine.kinds import Kind
from form_engine.messages import FieldError, ParseError
from schemas.spec import FieldSpec, Label

DEFAULT_MAX = 5
STARS = "★⭐"


class RatingField(FieldType):
    """Accepts ``4``, ``"4"``, ``4.0`` and star strings such as ``"★★★★"``."""

    name = "rating"
    label: ClassVar[Label] = {"zh-CN": "评分", "en": "Rating"}
    kind = Kind.NUMBER
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "max": {
                "type": "integer",
                "minimum": 1,
                "maximum": 10,
                "default": DEFAULT_MAX,
                "description": "Highest rating (number of stars).",
            }
        },
    }

    def maximum(self, field: FieldSpec) -> int:
        return int(field.config.get("max", DEFAULT_MAX))

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return sa.SmallInteger()

    def parse(self, raw: Any, field: FieldSpec) -> int | None:
        if is_blank(raw):
            return None
        if isinstance(raw, str):
            text = normalize_text(raw)
            if text and all(ch in STARS + "☆" for ch in text):
                return sum(ch in STARS for ch in text)
        try:
            value = parse_decimal(raw)
        except ParseError:
            raise ParseError("rating_range", value=raw, max=self.maximum(field)) from None
        if value != value.to_integral_value():
            raise ParseError("rating_range", value=raw, max=self.maximum(field))
        return int(value)

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        maximum = self.maximum(field)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | Decimal)
            or not (0 <= value <= maximum)
        ):
            yield field_error(field, "rating_range", max=maximum)
