"""``attachment``: uploaded files, e.g. 合同附件."""

from __future__ import annotations

from typing import ClassVar

from form_engine.fields._files import FilesFieldType
from schemas.spec import Label


class AttachmentField(FilesFieldType):
    """Any file type unless ``accept`` limits it."""

    name = "attachment"
    label: ClassVar[Label] = {"zh-CN": "附件", "en": "Attachment"}
