"""``user``: one member of the organisation, e.g. 负责人."""

from __future__ import annotations

from typing import ClassVar

from form_engine.fields._reference import ReferenceFieldType
from schemas.spec import Label


class UserField(ReferenceFieldType):
    """The id of a user (the runtime's users table)."""

    name = "user"
    label: ClassVar[Label] = {"zh-CN": "成员", "en": "User"}
