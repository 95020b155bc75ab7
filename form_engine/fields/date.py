"""``date``: a calendar day, e.g. 预计成交日期."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields._bounded import BoundedFieldType, bound_schemas, parse_with
from form_engine.fields._temporal import coerce_date, zone
from form_engine.fields.base import is_blank
from form_engine.kinds import Kind
from schemas.spec import FieldSpec, Label


class DateField(BoundedFieldType):
    """Understands ``2026-03-01``, ``2026/3/1``, ``2026年3月1日``, ``20260301`` and Excel
    serial numbers; a datetime input keeps its (local) date."""

    name = "date"
    label: ClassVar[Label] = {"zh-CN": "日期", "en": "Date"}
    kind = Kind.DATE
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": bound_schemas("2026-01-01"),
    }

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return sa.Date()

    def parse(self, raw: Any, field: FieldSpec) -> date | None:
        if is_blank(raw):
            return None
        return parse_with(lambda r: coerce_date(r, zone(None)), raw, "not_a_date")

    def to_json(self, value: Any, field: FieldSpec) -> Any:
        return None if value is None else value.isoformat()
