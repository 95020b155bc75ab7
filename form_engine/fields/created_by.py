"""``created_by``: who created the record (system column ``created_by``)."""

from __future__ import annotations

from typing import ClassVar

from form_engine.fields._system import SystemUserFieldType
from form_engine.fields.user import UserField
from schemas.spec import Label


class CreatedByField(SystemUserFieldType, UserField):
    """Who created the record. Parsing and output are those of ``user``."""

    name = "created_by"
    label: ClassVar[Label] = {"zh-CN": "创建人", "en": "Created by"}
    system_column = "created_by"
