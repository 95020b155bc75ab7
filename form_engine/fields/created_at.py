"""``created_at``: when the record was created (system column ``created_at``)."""

from __future__ import annotations

from typing import ClassVar

from form_engine.fields._system import SystemTimestampFieldType
from form_engine.fields.date_time import DateTimeField
from schemas.spec import Label


class CreatedAtField(SystemTimestampFieldType, DateTimeField):
    """When the record was created. Parsing, JSON and export are those of ``datetime``."""

    name = "created_at"
    label: ClassVar[Label] = {"zh-CN": "创建时间", "en": "Created at"}
    system_column = "created_at"
