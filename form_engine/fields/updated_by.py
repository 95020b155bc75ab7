"""``updated_by``: who last changed the record (system column ``updated_by``)."""

from __future__ import annotations

from typing import ClassVar

from form_engine.fields._system import SystemUserFieldType
from form_engine.fields.user import UserField
from schemas.spec import Label


class UpdatedByField(SystemUserFieldType, UserField):
    """Who last changed the record. Parsing and output are those of ``user``."""

    name = "updated_by"
    label: ClassVar[Label] = {"zh-CN": "更新人", "en": "Updated by"}
    system_column = "updated_by"
