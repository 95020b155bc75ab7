"""``percent``: a percentage stored as its number of points (35 means 35 %)."""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields.number import NumberField
from form_engine.fields.sqltypes import ExactDecimal
from schemas.spec import FieldSpec, Label


class PercentField(NumberField):
    """Win probability, discount rate. ``"35%"``, ``"35"`` and ``35`` all mean 35 %."""

    name = "percent"
    label: ClassVar[Label] = {"zh-CN": "百分比", "en": "Percent"}
    accepts_percent = True

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        # Always NUMERIC so a later precision change needs no column type change.
        return ExactDecimal(self.precision(field), as_float=True)
