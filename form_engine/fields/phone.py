"""``phone``: a telephone number, e.g. 联系电话.

Normalised forms (what is stored): Chinese mobiles as 11 digits ``13800138000`` (a ``+86``
prefix is dropped), landlines as ``0755-88889999`` (area code, then local number, then an
optional ``-`` extension), other countries in E.164 ``+442079460958``.

Input is folded first (:func:`fold_phone_text`): numbers pasted from Word or Excel often
come full-width (``０１０－８８８８６６６６``, ``（０１０）``, ``＋８６``, the ideographic space) or
with the dashes autocorrect puts in (``–``, ``—``).
"""

from __future__ import annotations

import re
from typing import ClassVar

from form_engine.fields._numbers import normalize_text
from form_engine.fields._text import FormattedTextFieldType
from schemas.spec import Label

MAX_LENGTH = 32
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(0(?:10|2\d|[3-9]\d{2}))-([2-9]\d{6,7})(?:-(\d{1,6}))?$")
_INTERNATIONAL = re.compile(r"^\+[1-9]\d{6,14}$")
_EXTENSION = re.compile(r"\s*(?:转|分机|ext\.?|x|#)\s*(\d{1,6})$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-.()/]")
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015", "-"))
"""Hyphen, non-breaking hyphen, figure/en/em dash, horizontal bar: NFKC folds full-width
``－`` and small ``﹣`` to ``-`` but leaves these (and turns small ``﹘`` into ``—``)."""


def fold_phone_text(raw: str) -> str:
    """``raw`` with full-width characters (digits, ``＋``, ``－``, ``（）``, U+3000) made
    ASCII by NFKC and every dash variant turned into ``-``; trimmed."""
    return normalize_text(raw).translate(_DASHES)


def normalize_phone(raw: str) -> str | None:
    """The stored form of a phone number, or None when it is not a phone number."""
    text = fold_phone_text(raw)
    if is_phone(text):
        return text
    extension = ""
    ext = _EXTENSION.search(text)
    if ext:
        extension, text = ext.group(1), text[: ext.start()]
    if not re.fullmatch(r"[+\d\s\-.()/]+", text):
        return None
    digits = _SEPARATORS.sub("", text)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("+86"):
        digits = digits[3:]
        if not digits.startswith("0") and not _MOBILE.match(digits):
            digits = "0" + digits  # +86 755 …, +86 10 …: the trunk 0 of the area code is dropped
    elif digits.startswith("+"):
        return digits if _INTERNATIONAL.match(digits) and not extension else None
    elif len(digits) == 13 and digits.startswith("861"):
        digits = digits[2:]
    if _MOBILE.match(digits):
        return digits if not extension else None
    if digits.startswith("0"):
        area = 3 if digits[1] in "12" else 4
        landline = f"{digits[:area]}-{digits[area:]}"
        if extension:
            landline += f"-{extension}"
        return landline if _LANDLINE.match(landline) else None
    return None


def is_phone(value: str) -> bool:
    return bool(_MOBILE.match(value) or _LANDLINE.match(value) or _INTERNATIONAL.match(value))


class PhoneField(FormattedTextFieldType):
    """Mobile (1[3-9] + 9 digits), landline with area code, or international ``+`` number;
    spaces, dashes, dots and brackets in the input are ignored, full-width ones too."""

    name = "phone"
    label: ClassVar[Label] = {"zh-CN": "电话", "en": "Phone"}
    max_chars = MAX_LENGTH
    error_code = "not_a_phone"

    def normalize(self, text: str) -> str | None:
        return normalize_phone(text)

    def conforms(self, value: str) -> bool:
        return is_phone(value)
