"""``rich_text``: formatted text (HTML), sanitised on the way in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import Any, ClassVar

from form_engine.fields._html import sanitize_html
from form_engine.fields._text import LongTextLikeFieldType
from form_engine.fields.base import field_error
from form_engine.messages import FieldError
from schemas.spec import DEFAULT_LOCALE, FieldSpec, Label


def plain_text(html: str) -> str:
    """The visible text of sanitised HTML (what export writes)."""
    spaced = re.sub(r"<(?:br|/p|/li|/h[1-4]|/tr|/blockquote|/pre)>", "\n", html)
    return unescape(re.sub(r"<[^>]+>", "", spaced)).strip()


class RichTextField(LongTextLikeFieldType):
    """HTML from the editor; scripts, event handlers and ``javascript:`` links are removed."""

    name = "rich_text"
    label: ClassVar[Label] = {"zh-CN": "富文本", "en": "Rich text"}

    def parse(self, raw: Any, field: FieldSpec) -> str | None:
        value = super().parse(raw, field)
        if value is None:
            return None
        return sanitize_html(value).strip() or None

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        yield from super().validate(value, field)
        if isinstance(value, str) and sanitize_html(value) != value:
            yield field_error(field, "unsafe_html")

    def export(self, value: Any, field: FieldSpec, *, locale: str = DEFAULT_LOCALE) -> Any:
        return None if value is None else plain_text(value)
