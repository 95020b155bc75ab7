"""``long_text``: several lines of plain text, e.g. 需求描述."""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields._text import TextLikeFieldType, length_schema
from form_engine.kinds import Kind
from schemas.spec import FieldSpec, Label

LIMIT = 1_000_000


class LongTextField(TextLikeFieldType):
    """Multi-line plain text; line breaks are kept (normalised to ``\\n``)."""

    name = "long_text"
    label: ClassVar[Label] = {"zh-CN": "多行文本", "en": "Long text"}
    kind = Kind.TEXT
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"max_length": length_schema(None, LIMIT)},
    }

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return sa.Text()

    def parse(self, raw: Any, field: FieldSpec) -> str | None:
        value = super().parse(raw, field)
        return None if value is None else value.replace("\r\n", "\n").replace("\r", "\n")
