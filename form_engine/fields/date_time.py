"""``datetime``: an instant, stored in UTC and shown in the field's timezone."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields._bounded import BoundedFieldType, bound_schemas, parse_with
from form_engine.fields._config_messages import ConfigProblem
from form_engine.fields._temporal import DEFAULT_TIMEZONE, coerce_datetime, zone
from form_engine.fields.base import is_blank
from form_engine.fields.sqltypes import UTCDateTime
from form_engine.kinds import Kind
from schemas.spec import DEFAULT_LOCALE, FieldSpec, Label

EXPORT_FORMAT = "%Y-%m-%d %H:%M:%S"


def field_zone(field: FieldSpec) -> tzinfo:
    """Timezone for input without an offset and for export: ``config.timezone`` or
    Asia/Shanghai."""
    return zone(field.config.get("timezone"))


def iso_utc(value: datetime) -> str:
    """``2026-03-01T06:30:00Z``: the JSON form of every datetime."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class DateTimeField(BoundedFieldType):
    """Accepts ISO 8601 with ``T`` or a space, with or without seconds, with ``Z`` or an
    offset; without an offset the time is local to ``config.timezone``."""

    name = "datetime"
    label: ClassVar[Label] = {"zh-CN": "日期时间", "en": "Date and time"}
    kind = Kind.DATETIME
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            **bound_schemas("2026-01-01 09:00"),
            "timezone": {
                "type": "string",
                "default": DEFAULT_TIMEZONE,
                "description": "IANA timezone for input without an offset and for export.",
            },
        },
    }

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return UTCDateTime()

    def parse(self, raw: Any, field: FieldSpec) -> datetime | None:
        if is_blank(raw):
            return None
        local = field_zone(field)
        return parse_with(lambda r: coerce_datetime(r, local), raw, "not_a_datetime")

    def to_json(self, value: Any, field: FieldSpec) -> Any:
        return None if value is None else iso_utc(value)

    def export(self, value: Any, field: FieldSpec, *, locale: str = DEFAULT_LOCALE) -> Any:
        if value is None:
            return None
        return value.astimezone(field_zone(field)).strftime(EXPORT_FORMAT)

    def check_config(self, field: FieldSpec) -> Any:
        try:
            field_zone(field)
        except ValueError:
            yield ConfigProblem("bad_timezone", timezone=field.config.get("timezone"))
            return
        yield from super().check_config(field)
