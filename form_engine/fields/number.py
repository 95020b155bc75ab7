"""``number``: a plain number; whole numbers by default, ``precision`` decimals otherwise."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields._numbers import parse_decimal
from form_engine.fields._numeric import BOUND_SCHEMAS, NumericFieldType, precision_schema
from form_engine.fields.base import is_blank
from form_engine.fields.sqltypes import ExactDecimal
from form_engine.kinds import Kind
from schemas.spec import FieldSpec, Label


def as_number(value: Decimal, precision: int) -> int | float:
    """The ``Kind.NUMBER`` value of an exact Decimal: int when whole and precision is 0."""
    if precision == 0 and value == value.to_integral_value():
        return int(value)
    return float(value)


class NumberField(NumericFieldType):
    """Counts, quantities, scores. ``1,234``, ``１２３`` and ``1.2万`` are understood."""

    name = "number"
    label: ClassVar[Label] = {"zh-CN": "数字", "en": "Number"}
    kind = Kind.NUMBER
    accepts_percent: ClassVar[bool] = False
    """Whether input may end in ``%`` (taken as written: ``"35%"`` is 35)."""
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"precision": precision_schema(0), **BOUND_SCHEMAS},
    }

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        precision = self.precision(field)
        if precision == 0:
            return sa.BigInteger()
        return ExactDecimal(precision, as_float=True)

    def parse(self, raw: Any, field: FieldSpec) -> int | float | None:
        if is_blank(raw):
            return None
        return as_number(parse_decimal(raw, percent=self.accepts_percent), self.precision(field))
