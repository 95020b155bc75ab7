"""``percent``: a percentage stored as its number of points (35 means 35 %)."""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields._numbers import parse_decimal
from form_engine.fields._numeric import BOUND_SCHEMAS, NumericFieldType, precision_schema
from form_engine.fields.base import is_blank
from form_engine.fields.number import as_number
from form_engine.fields.sqltypes import ExactDecimal
from form_engine.kinds import Kind
from schemas.spec import FieldSpec, Label


class PercentField(NumericFieldType):
    """Win probability, discount rate. ``"35%"``, ``"35"`` and ``35`` all mean 35 %."""

    name = "percent"
    label: ClassVar[Label] = {"zh-CN": "百分比", "en": "Percent"}
    kind = Kind.NUMBER
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"precision": precision_schema(0), **BOUND_SCHEMAS},
    }

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        # Always NUMERIC so a later precision change needs no column type change.
        return ExactDecimal(self.precision(field), as_float=True)

    def parse(self, raw: Any, field: FieldSpec) -> int | float | None:
        if is_blank(raw):
            return None
        return as_number(parse_decimal(raw, percent=True), self.precision(field))
