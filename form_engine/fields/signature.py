"""``signature``: a hand-written signature drawn on screen, kept as a PNG data URL."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields.base import FieldType, field_error, is_blank
from form_engine.kinds import Kind
from form_engine.messages import FieldError, ParseError
from schemas.spec import DEFAULT_LOCALE, FieldSpec, Label

PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_KB = 512
EXPORT_TEXT = {"zh-CN": "已签名", "en": "Signed"}


def signature_problem(value: Any) -> ParseError | None:
    """Why ``value`` is not an acceptable signature, or None."""
    if not isinstance(value, str) or not value.startswith(PREFIX):
        return ParseError("not_a_signature")
    try:
        data = base64.b64decode(value[len(PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        return ParseError("not_a_signature")
    if not data.startswith(PNG_MAGIC):
        return ParseError("not_a_signature")
    if len(data) > MAX_KB * 1024:
        return ParseError("signature_too_large", max_kb=MAX_KB)
    return None


class SignatureField(FieldType):
    """``data:image/png;base64,…``; the payload must decode and be a PNG of at most 512 KB."""

    name = "signature"
    label: ClassVar[Label] = {"zh-CN": "签名", "en": "Signature"}
    kind = Kind.JSON
    sortable = False

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return sa.Text()

    def parse(self, raw: Any, field: FieldSpec) -> str | None:
        if is_blank(raw):
            return None
        value = raw.strip() if isinstance(raw, str) else raw
        problem = signature_problem(value)
        if problem is not None:
            raise problem
        return value

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        problem = signature_problem(value)
        if problem is not None:
            yield field_error(field, problem.code, **problem.params)

    def export(self, value: Any, field: FieldSpec, *, locale: str = DEFAULT_LOCALE) -> Any:
        return None if value is None else EXPORT_TEXT.get(locale, EXPORT_TEXT["zh-CN"])
