"""``updated_at``: when the record was last changed (system column ``updated_at``)."""

from __future__ import annotations

from typing import ClassVar

from form_engine.fields._system import SystemTimestampFieldType
from form_engine.fields.date_time import DateTimeField
from schemas.spec import Label


class UpdatedAtField(SystemTimestampFieldType, DateTimeField):
    """When the record was last changed. Parsing, JSON and export are those of ``datetime``."""

    name = "updated_at"
    label: ClassVar[Label] = {"zh-CN": "更新时间", "en": "Updated at"}
    system_column = "updated_at"
