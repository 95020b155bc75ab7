"""``email``: an email address, e.g. 联系人邮箱."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields._numbers import normalize_text
from form_engine.fields._text import coerce_text
from form_engine.fields.base import FieldType, field_error, is_blank
from form_engine.kinds import Kind
from form_engine.messages import FieldError, ParseError
from schemas.spec import FieldSpec, Label

MAX_LENGTH = 254
_ADDRESS = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9\u00a0-\uffff](?:[A-Za-z0-9\u00a0-\uffff-]{0,61}"
    r"[A-Za-z0-9\u00a0-\uffff])?\.)+[A-Za-z\u00a0-\uffff]{2,63}$"
)
_DISPLAY_NAME = re.compile(r"^.*<([^<>]+)>$")


def is_email(value: str) -> bool:
    local = value.split("@", 1)[0]
    return (
        len(value) <= MAX_LENGTH
        and bool(_ADDRESS.match(value))
        and ".." not in value
        and not local.startswith(".")
        and not local.endswith(".")
    )


class EmailField(FieldType):
    """Trimmed, full-width characters folded, the domain lower-cased; ``Name <a@b.cn>``
    keeps the address only."""

    name = "email"
    label: ClassVar[Label] = {"zh-CN": "邮箱", "en": "Email"}
    kind = Kind.TEXT

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return sa.String(MAX_LENGTH)

    def parse(self, raw: Any, field: FieldSpec) -> str | None:
        if is_blank(raw):
            return None
        text = normalize_text(coerce_text(raw)).removeprefix("mailto:")
        named = _DISPLAY_NAME.match(text)
        if named:
            text = named.group(1).strip()
        local, at, domain = text.rpartition("@")
        value = f"{local}@{domain.lower()}" if at else text
        if not is_email(value):
            raise ParseError("not_an_email", value=raw)
        return value

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        if not isinstance(value, str) or not is_email(value):
            yield field_error(field, "not_an_email", value=value)
