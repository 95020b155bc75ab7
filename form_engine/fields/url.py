"""``url``: a web address, e.g. 公司网站."""

from __future__ import annotations

import re
from typing import ClassVar
from urllib.parse import urlsplit

from form_engine.fields._numbers import normalize_text
from form_engine.fields._text import FormattedTextFieldType
from schemas.spec import Label

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


class UrlField(FormattedTextFieldType):
    """``https://kairos.example/x``; a bare ``www.example.com`` gets ``https://``."""

    name = "url"
    label: ClassVar[Label] = {"zh-CN": "网址", "en": "URL"}
    max_chars = MAX_LENGTH
    error_code = "not_a_url"

    def normalize(self, text: str) -> str:
        text = normalize_text(text)
        if text.lower().startswith("www."):
            text = "https://" + text
        scheme, sep, rest = text.partition("://")
        return f"{scheme.lower()}://{rest}" if sep else text

    def conforms(self, value: str) -> bool:
        return is_url(value)
