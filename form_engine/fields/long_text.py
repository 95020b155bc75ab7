"""``long_text``: several lines of plain text, e.g. 需求描述."""

from __future__ import annotations

from typing import Any, ClassVar

from form_engine.fields._text import LongTextLikeFieldType
from schemas.spec import FieldSpec, Label


class LongTextField(LongTextLikeFieldType):
    """Multi-line plain text; line breaks are kept (normalised to ``\\n``)."""

    name = "long_text"
    label: ClassVar[Label] = {"zh-CN": "多行文本", "en": "Long text"}

    def parse(self, raw: Any, field: FieldSpec) -> str | None:
        value = super().parse(raw, field)
        return None if value is None else value.replace("\r\n", "\n").replace("\r", "\n")
