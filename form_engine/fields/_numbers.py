"""Reading numbers the way people type them: ``"1,234.50"``, ``"¥1,234.5"``, ``"￥1 234"``,
``"1.2万"``, ``"３５％"``, ``"(1,200)"``, and Excel cells holding floats.

Everything becomes an exact ``Decimal`` first; each field type then decides whether it keeps
a Decimal (money), an int or a float (number, percent).
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from form_engine.messages import ParseError

_CURRENCY_PREFIX = re.compile(r"^(?:[¥$€£]|RMB|CNY|USD|EUR|HKD|人民币)\s*", re.IGNORECASE)
_CURRENCY_SUFFIX = re.compile(r"\s*(?:元|块|圆|RMB|CNY|USD|EUR|HKD)$", re.IGNORECASE)
_SCALES = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
_PLAIN = re.compile(r"^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]+")
FLOAT_NOISE_DIGITS = 9
"""Floats from spreadsheets carry binary noise (0.1 + 0.2); keep this many decimals."""


def normalize_text(raw: str) -> str:
    """NFKC (full-width digits, ``％``, ``，``, ``￥`` become ASCII) and trimmed."""
    return unicodedata.normalize("NFKC", raw).replace("\u2212", "-").strip()


def parse_decimal(
    raw: Any, *, currency: bool = False, percent: bool = False, code: str = "not_a_number"
) -> Decimal:
    """Parse ``raw`` into a finite Decimal.

    ``currency`` allows symbols and codes (``¥``, ``元``, ``CNY``); ``percent`` allows a
    trailing ``%`` (the number is taken as written: ``"35%"`` is 35). ``万``/``亿`` multiply.
    Raises ParseError(``code``) otherwise.
    """
    if isinstance(raw, bool):
        raise ParseError(code, value=raw)
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise ParseError(code, value=raw)
        return _without_float_noise(Decimal(repr(raw)))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise ParseError(code, value=raw)
        return raw
    if not isinstance(raw, str):
        raise ParseError(code, value=raw)
    value = _parse_text(normalize_text(raw), currency=currency, percent=percent)
    if value is None:
        raise ParseError(code, value=raw)
    return value


def _parse_text(text: str, *, currency: bool, percent: bool) -> Decimal | None:
    negative = False
    if text.startswith("(") and text.endswith(")"):  # accounting negative: (1,200)
        negative, text = True, text[1:-1].strip()
    text, signed = _take_sign(text)
    negative ^= signed
    if currency:
        unprefixed = _CURRENCY_PREFIX.sub("", text)
        if unprefixed != text and not signed:  # ¥-5 as well as -¥5
            unprefixed, signed = _take_sign(unprefixed)
            negative ^= signed
        text = _CURRENCY_SUFFIX.sub("", unprefixed)
    if percent and text.endswith("%"):
        text = text[:-1].rstrip()
    factor = Decimal(1)
    if text[-1:] in _SCALES:
        factor, text = _SCALES[text[-1]], text[:-1].rstrip()
    body = _SPACES.sub(",", text)
    if not (_PLAIN.match(body) or _GROUPED.match(body)):
        return None
    try:
        value = Decimal(body.replace(",", "")) * factor
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return -value if negative else value


def _take_sign(text: str) -> tuple[str, bool]:
    if text and text[0] in "+-":
        return text[1:].lstrip(), text[0] == "-"
    return text, False


def _without_float_noise(value: Decimal) -> Decimal:
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -FLOAT_NOISE_DIGITS:
        value = value.quantize(Decimal(1).scaleb(-FLOAT_NOISE_DIGITS))
    return strip_zeros(value)


def strip_zeros(value: Decimal) -> Decimal:
    """Drop trailing fractional zeros without switching to exponent notation.

    Works beyond the decimal context's 28 digits (``1.5e308`` from JSON), where
    ``quantize`` would raise; infinities and NaN come back unchanged."""
    if not value.is_finite():
        return value
    if value == value.to_integral_value():
        return Decimal(format(value, "f").partition(".")[0])
    return value.normalize()


def decimal_places(value: Decimal) -> int:
    """Number of significant decimals: 2 for ``1.25``, 0 for ``1.00`` and ``1E+3``."""
    exponent = strip_zeros(value).as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


@lru_cache(maxsize=256)
def storage_limit(precision: int, digits: int = 18) -> Decimal:
    """Exclusive bound on the absolute value a ``NUMERIC(digits, precision)`` column holds
    (cached: every numeric value validated asks for it; a Decimal is immutable)."""
    return Decimal(10) ** (digits - precision)
