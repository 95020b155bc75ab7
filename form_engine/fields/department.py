"""``department``: one department of the organisation, e.g. 所属部门."""

from __future__ import annotations

from typing import ClassVar

from form_engine.fields._reference import ReferenceFieldType
from schemas.spec import Label


class DepartmentField(ReferenceFieldType):
    """The id of a department (the runtime's departments table)."""

    name = "department"
    label: ClassVar[Label] = {"zh-CN": "部门", "en": "Department"}
