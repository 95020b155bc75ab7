"""``time``: a time of day without a date, e.g. 拜访时间."""

from __future__ import annotations

from datetime import time
from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields._bounded import BoundedFieldType, bound_schemas, parse_with
from form_engine.fields._temporal import coerce_time
from form_engine.fields.base import is_blank
from form_engine.kinds import Kind
from schemas.spec import FieldSpec, Label


class TimeField(BoundedFieldType):
    """Accepts ``14:30``, ``14:30:15``, ``2:30 PM``, ``下午2点30分`` and Excel day fractions."""

    name = "time"
    label: ClassVar[Label] = {"zh-CN": "时间", "en": "Time"}
    kind = Kind.TIME
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": bound_schemas("09:00"),
    }

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return sa.Time()

    def parse(self, raw: Any, field: FieldSpec) -> time | None:
        if is_blank(raw):
            return None
        return parse_with(coerce_time, raw, "not_a_time")

    def to_json(self, value: Any, field: FieldSpec) -> Any:
        return None if value is None else value.isoformat()
