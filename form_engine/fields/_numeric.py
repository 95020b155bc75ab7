"""Shared behaviour of number, money and percent: precision, bounds and config checks."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any, ClassVar

from form_engine.fields._config_messages import ConfigProblem
from form_engine.fields._numbers import decimal_places, storage_limit
from form_engine.fields.base import FieldType, field_error
from form_engine.messages import FieldError
from schemas.spec import FieldSpec

MAX_PRECISION = 8


def precision_schema(default: int, maximum: int = MAX_PRECISION) -> dict[str, Any]:
    return {
        "type": "integer",
        "minimum": 0,
        "maximum": maximum,
        "default": default,
        "description": "Decimal places kept (0 = whole numbers).",
    }


BOUND_SCHEMAS: dict[str, Any] = {
    "min": {"type": "number", "description": "Smallest allowed value (inclusive)."},
    "max": {"type": "number", "description": "Largest allowed value (inclusive)."},
}


class NumericFieldType(FieldType):
    """A field whose value is a number with a configured precision and optional bounds."""

    default_precision: ClassVar[int] = 0

    def precision(self, field: FieldSpec) -> int:
        return int(field.config.get("precision", self.default_precision))

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        exact = value if isinstance(value, Decimal) else Decimal(repr(value))
        precision = self.precision(field)
        if decimal_places(exact) > precision:
            if precision == 0:
                yield field_error(field, "not_an_integer", value=value)
            else:
                yield field_error(field, "precision", precision=precision)
        limit = storage_limit(precision)
        if abs(exact) >= limit:
            yield field_error(field, "number_too_large", limit=f"{limit:,}")
        minimum, maximum = field.config.get("min"), field.config.get("max")
        if minimum is not None and exact < Decimal(repr(minimum)):
            yield field_error(field, "min_value", min=minimum)
        if maximum is not None and exact > Decimal(repr(maximum)):
            yield field_error(field, "max_value", max=maximum)

    def check_config(self, field: FieldSpec) -> Iterator[str]:
        minimum, maximum = field.config.get("min"), field.config.get("max")
        if minimum is not None and maximum is not None and minimum > maximum:
            yield ConfigProblem("min_greater_than_max", min=minimum, max=maximum)
