"""Turning a computed result (formula, default formula, rollup) into a value of the
field's result type.

The record service does this on every write and a publish does it when it recomputes a
new or changed formula over existing rows; both must round and refuse the same way, or a
value written by a form would differ from the one a migration writes. Rules (docs/
formulas.md): numbers are Decimal, rounded ROUND_HALF_UP to the field's precision (money
defaults to 2 places); a non-finite number or a number for a non-numeric result is empty;
a number its ``NUMERIC(18, p)`` column cannot hold is ``result_too_large`` on every
database (SQLite would silently store a float, PostgreSQL would refuse the row).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from form_engine.fields.base import FieldType
from form_engine.fields.sqltypes import NUMERIC_DIGITS
from form_engine.messages import FieldError, ParseError
from schemas.spec import FieldSpec

NUMERIC_RESULTS = frozenset({"number", "money", "percent"})
"""Result types that store a Decimal."""


def result_type_name(field_type: FieldType, field: FieldSpec) -> str:
    """The type a computed field stores (``formula`` → ``money``, …), else its own type."""
    name_of = getattr(field_type, "result_type_name", None)
    return (name_of(field) if name_of else None) or field.type


def coerce_result(
    field_type: FieldType, field: FieldSpec, value: Any
) -> tuple[Any, FieldError | None]:
    """``(value, None)`` ready to store, or ``(None, error)`` when the result cannot be
    stored: ``result_too_large``, or the result type's own parse error."""
    if value is None:
        return None, None
    result_type = result_type_name(field_type, field)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            return None, None
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        if result_type not in NUMERIC_RESULTS or not value.is_finite():
            return None, None
        precision = _precision(field_type, field, result_type)
        limit = Decimal(10) ** (NUMERIC_DIGITS - (precision or 0))
        if abs(value) >= limit:
            return None, too_large(field, limit)
        if precision is not None:
            value = value.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)
        try:
            parsed = field_type.parse(str(value), field)
        except ParseError as exc:
            return None, exc.to_field_error(field.key, field.label)
        for error in field_type.validate(parsed, field):
            if error.code == "number_too_large":  # the column's own precision is finer
                return None, too_large(field, error.params.get("limit"))
        return parsed, None
    if result_type == "text" and not isinstance(value, str):
        return str(value), None
    return value, None


def too_large(field: FieldSpec, limit: Any) -> FieldError:
    """The ``result_too_large`` error of ``field``, with the limit shown with separators."""
    shown = f"{limit:,}" if isinstance(limit, Decimal) else limit
    return FieldError(field.key, "result_too_large", {"label": field.label, "limit": shown})


def _precision(field_type: FieldType, field: FieldSpec, result_type: str) -> int | None:
    precision = field.config.get("precision")
    if precision is None and hasattr(field_type, "result_config"):
        precision = field_type.result_config(field).get("precision")
    if precision is None and result_type == "money":
        precision = 2
    return None if precision is None else int(precision)
