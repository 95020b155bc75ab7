"""``checkbox``: yes or no, e.g. 是否重点客户."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields._numbers import normalize_text
from form_engine.fields.base import FieldType, field_error, is_blank
from form_engine.kinds import Kind
from form_engine.messages import FieldError, ParseError
from schemas.spec import DEFAULT_LOCALE, FieldSpec, Label

TRUE_WORDS = frozenset(
    [
        "true",
        "t",
        "yes",
        "y",
        "1",
        "on",
        "checked",
        "x",
        "是",
        "对",
        "真",
        "有",
        "已",
        "√",
        "✓",
        "✔",
        "☑",
        "✅",
    ]
)
FALSE_WORDS = frozenset(
    [
        "false",
        "f",
        "no",
        "n",
        "0",
        "off",
        "unchecked",
        "否",
        "不",
        "错",
        "假",
        "无",
        "未",
        "×",
        "✗",
        "✘",
        "☐",
        "❌",
    ]
)
EXPORT_WORDS = {"zh-CN": ("是", "否"), "en": ("Yes", "No")}


class CheckboxField(FieldType):
    """Accepts booleans, 1/0 and words: 是/否, Y/N, true/false, on/off, √/×, ✓/✗."""

    name = "checkbox"
    label: ClassVar[Label] = {"zh-CN": "复选框", "en": "Checkbox"}
    kind = Kind.BOOL

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return sa.Boolean()

    def parse(self, raw: Any, field: FieldSpec) -> bool | None:
        if is_blank(raw):
            return None
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int | float) and raw in (0, 1):
            return bool(raw)
        if isinstance(raw, str):
            word = normalize_text(raw).casefold()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
        raise ParseError("not_a_boolean", value=raw)

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        if not isinstance(value, bool):
            yield field_error(field, "not_a_boolean", value=value)

    def export(self, value: Any, field: FieldSpec, *, locale: str = DEFAULT_LOCALE) -> Any:
        if value is None:
            return None
        yes, no = EXPORT_WORDS.get(locale, EXPORT_WORDS["zh-CN"])
        return yes if value else no
