"""``url``: a web address, e.g. 公司网站."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

import sqlalchemy as sa

from form_engine.fields._numbers import normalize_text
from form_engine.fields._text import coerce_text
from form_engine.fields.base import FieldType, field_error, is_blank
from form_engine.kinds import Kind
from form_engine.messages import FieldError, ParseError
from schemas.spec import FieldSpec, Label

MAX_LENGTH = 2048
_HOST = re.compile(r"^(?:localhost|[^\s.:/]+(?:\.[^\s.:/]+)+|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$")


def is_url(value: str) -> bool:
    """http(s) only: other schemes (``javascript:``, ``file:``) are never links we render."""
    if len(value) > MAX_LENGTH or re.search(r"\s", value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    host = parts.netloc.rpartition("@")[2]
    return parts.scheme in ("http", "https") and bool(_HOST.match(host))


class UrlField(FieldType):
    """``https://kairos.example/x``; a bare ``www.example.com`` gets ``https://``."""

    name = "url"
    label: ClassVar[Label] = {"zh-CN": "网址", "en": "URL"}
    kind = Kind.TEXT

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return sa.String(MAX_LENGTH)

    def parse(self, raw: Any, field: FieldSpec) -> str | None:
        if is_blank(raw):
            return None
        text = normalize_text(coerce_text(raw))
        if text.lower().startswith("www."):
            text = "https://" + text
        scheme, sep, rest = text.partition("://")
        if sep:
            text = f"{scheme.lower()}://{rest}"
        if not is_url(text):
            raise ParseError("not_a_url", value=raw)
        return text

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        if not isinstance(value, str) or not is_url(value):
            yield field_error(field, "not_a_url", value=value)
