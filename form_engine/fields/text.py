"""``text``: one line of text, e.g. 商机名称."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields._config_messages import ConfigProblem
from form_engine.fields._text import TextLikeFieldType, length_schema
from form_engine.fields.base import field_error
from form_engine.kinds import Kind
from form_engine.messages import FieldError
from schemas.spec import FieldSpec, Label

MAX_LENGTH = 255
LIMIT = 4000


class TextField(TextLikeFieldType):
    """Single-line text with optional length limits and a regular-expression ``pattern``."""

    name = "text"
    label: ClassVar[Label] = {"zh-CN": "单行文本", "en": "Text"}
    kind = Kind.TEXT
    default_max_length = MAX_LENGTH
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "max_length": length_schema(MAX_LENGTH, LIMIT),
            "min_length": {
                "type": "integer",
                "minimum": 0,
                "description": "Fewest characters allowed.",
            },
            "pattern": {
                "type": "string",
                "description": "Regular expression the whole value must match.",
            },
            "pattern_hint": {
                "type": ["string", "object"],
                "description": "What the pattern expects, shown in the error "
                '(a label: {"zh-CN": …, "en": …}).',
            },
        },
    }

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return sa.String(self.max_length(field))

    def parse(self, raw: Any, field: FieldSpec) -> str | None:
        value = super().parse(raw, field)
        # One line: newlines pasted from spreadsheets become spaces.
        return None if value is None else re.sub(r"\s*[\r\n]+\s*", " ", value)

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        yield from super().validate(value, field)
        pattern = field.config.get("pattern")
        if pattern and isinstance(value, str) and not re.fullmatch(pattern, value):
            hint = field.config.get("pattern_hint") or pattern
            yield field_error(field, "pattern", hint=hint, value=value)

    def check_config(self, field: FieldSpec) -> Iterator[str]:
        yield from super().check_config(field)
        pattern = field.config.get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                yield ConfigProblem("bad_regex", pattern=pattern, detail=str(exc))
