"""``duration``: a length of time in whole seconds, e.g. 通话时长."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields._config_messages import ConfigProblem
from form_engine.fields._numbers import normalize_text
from form_engine.fields.base import FieldType, field_error, is_blank
from form_engine.kinds import Kind
from form_engine.messages import FieldError, ParseError
from schemas.spec import DEFAULT_LOCALE, FieldSpec, Label

_UNIT_SECONDS = {
    "d": 86400, "day": 86400, "days": 86400, "天": 86400, "日": 86400,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "小时": 3600, "个小时": 3600, "时": 3600,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60, "分钟": 60, "分": 60,
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "秒": 1, "秒钟": 1,
}  # fmt: skip
_UNITS = "|".join(sorted((re.escape(u) for u in _UNIT_SECONDS), key=len, reverse=True))
_PART = re.compile(rf"(\d+(?:\.\d+)?)\s*({_UNITS})", re.IGNORECASE)
_CLOCK = re.compile(r"^(\d+):([0-5]?\d)(?::([0-5]?\d))?$")
_ISO = re.compile(
    r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$",
    re.IGNORECASE,
)


def parse_duration_text(raw: str) -> int | None:
    """Seconds from ``1:30`` (h:mm), ``1:30:15``, ``90分钟``, ``2h``, ``1.5小时``,
    ``2小时30分``, ``1d 2h``, ``PT1H30M`` or a bare number of seconds; None if not one."""
    text = normalize_text(raw)
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return round(float(text))
    clock = _CLOCK.match(text)
    if clock:
        hours, minutes, seconds = (int(g or 0) for g in clock.groups())
        return hours * 3600 + minutes * 60 + seconds
    iso = _ISO.match(text)
    if iso and text.upper() not in ("P", "PT") and any(iso.groups()):
        factors = (86400, 3600, 60, 1)
        return round(sum(float(g or 0) * f for g, f in zip(iso.groups(), factors, strict=True)))
    total, position = 0.0, 0
    for match in _PART.finditer(text):
        if text[position : match.start()].strip(" ,，"):
            return None
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
        position = match.end()
    if position == 0 or text[position:].strip():
        return None
    return round(total)


def format_duration(seconds: int) -> str:
    """``5400`` → ``"1:30:00"`` (hours may exceed 24); ``parse`` reads it back."""
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


class DurationField(FieldType):
    """Numbers mean seconds; text may use units in Chinese or English or h:mm."""

    name = "duration"
    label: ClassVar[Label] = {"zh-CN": "时长", "en": "Duration"}
    kind = Kind.DURATION
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "min": {"type": "integer", "minimum": 0, "description": "Shortest, in seconds."},
            "max": {"type": "integer", "minimum": 0, "description": "Longest, in seconds."},
        },
    }

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return sa.BigInteger()

    def parse(self, raw: Any, field: FieldSpec) -> int | None:
        if is_blank(raw):
            return None
        seconds: int | None
        if isinstance(raw, timedelta):
            seconds = round(raw.total_seconds())
        elif isinstance(raw, int | float) and not isinstance(raw, bool):
            seconds = round(raw) if math.isfinite(raw) else None
        elif isinstance(raw, str):
            seconds = parse_duration_text(raw)
        else:
            seconds = None
        if seconds is None or seconds < 0:
            raise ParseError("not_a_duration", value=raw)
        return seconds

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        minimum, maximum = field.config.get("min"), field.config.get("max")
        if minimum is not None and value < minimum:
            yield field_error(field, "min_value", min=format_duration(minimum))
        if maximum is not None and value > maximum:
            yield field_error(field, "max_value", max=format_duration(maximum))

    def export(self, value: Any, field: FieldSpec, *, locale: str = DEFAULT_LOCALE) -> Any:
        return None if value is None else format_duration(value)

    def check_config(self, field: FieldSpec) -> Iterator[str]:
        minimum, maximum = field.config.get("min"), field.config.get("max")
        if minimum is not None and maximum is not None and minimum > maximum:
            yield ConfigProblem("min_greater_than_max", min=minimum, max=maximum)
