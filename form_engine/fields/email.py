"""``email``: an email address, e.g. 联系人邮箱."""

from __future__ import annotations

import re
from typing import ClassVar

from form_engine.fields._numbers import normalize_text
from form_engine.fields._text import FormattedTextFieldType
from schemas.spec import Label

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


class EmailField(FormattedTextFieldType):
    """Trimmed, full-width characters folded, the domain lower-cased; ``Name <a@b.cn>``
    keeps the address only."""

    name = "email"
    label: ClassVar[Label] = {"zh-CN": "邮箱", "en": "Email"}
    max_chars = MAX_LENGTH
    error_code = "not_an_email"

    def normalize(self, text: str) -> str:
        text = normalize_text(text).removeprefix("mailto:")
        named = _DISPLAY_NAME.match(text)
        if named:
            text = named.group(1).strip()
        local, at, domain = text.rpartition("@")
        return f"{local}@{domain.lower()}" if at else text

    def conforms(self, value: str) -> bool:
        return is_email(value)
