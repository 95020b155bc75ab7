"""Reading dates, times and datetimes from forms, the API and spreadsheets.

Accepted: ISO 8601 (``2026-03-01``, ``2026-03-01T14:30:00+08:00``, ``…Z``), slashes and dots
(``2026/3/1``), Chinese (``2026年3月1日 14时30分``), compact (``20260301``), Excel serial
numbers (46082 is 2026-03-01) and ``date``/``datetime``/``time`` objects from XLSX readers.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from form_engine.fields._numbers import normalize_text

DEFAULT_TIMEZONE = "Asia/Shanghai"

_EXCEL_EPOCH = datetime(1899, 12, 30)
_EXCEL_FAKE_LEAP_DAY = 60
"""Excel's serial 60 is 1900-02-29, which never existed (kept for Lotus 1-2-3 compatibility)."""
_EXCEL_MAX_SERIAL = 2958466  # 10000-01-01

_DATE = re.compile(
    r"^(?P<y>\d{4})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})\s*日?"
)
_COMPACT_DATE = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?!\d)")
_CLOCK = re.compile(
    r"^(?P<h>\d{1,2})(?::(?P<m>\d{1,2}))?(?::(?P<s>\d{1,2})(?:\.(?P<f>\d{1,6})\d*)?)?$"
)
_OFFSET = re.compile(r"^(?P<clock>.*?)\s*(?P<off>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$", re.I)
_MORNING = ("上午", "凌晨", "早上", "早晨")
_AFTERNOON = ("下午", "晚上", "傍晚", "中午")


class TemporalError(ValueError):
    """Raised by the parsers here; field types turn it into a localised ParseError."""


def zone(name: str | None) -> tzinfo:
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TemporalError(f"unknown timezone {name!r}") from exc


def excel_serial_to_datetime(serial: float) -> datetime:
    """Naive datetime of an Excel (1900 date system) serial number."""
    if not 1 <= serial < _EXCEL_MAX_SERIAL:
        raise TemporalError(f"{serial} is not an Excel date serial")
    days = int(serial)
    if days == _EXCEL_FAKE_LEAP_DAY:
        raise TemporalError("Excel serial 60 is 1900-02-29, which does not exist")
    if days < _EXCEL_FAKE_LEAP_DAY:
        days += 1  # before the fake leap day Excel counts one day short of real calendars
    seconds = round((serial - int(serial)) * 86400)
    return _EXCEL_EPOCH + timedelta(days=days, seconds=seconds)


def date_to_excel_serial(value: date) -> int:
    """Inverse of ``excel_serial_to_datetime`` for dates (used by tests and export tools)."""
    days = (value - _EXCEL_EPOCH.date()).days
    return days - 1 if days <= _EXCEL_FAKE_LEAP_DAY else days


def split_date(text: str) -> tuple[date, str]:
    """Parse the date at the start of ``text``; return it and the rest (stripped of ``T``)."""
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        raise TemporalError(text)
    try:
        value = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError as exc:
        raise TemporalError(text) from exc
    rest = text[match.end() :].strip()
    if rest[:1] in ("T", "t"):
        rest = rest[1:].strip()
    return value, rest


def parse_date_text(raw: str) -> date:
    value, rest = split_date(normalize_text(raw))
    if rest and parse_clock_text(_OFFSET.sub(r"\g<clock>", rest)) != time(0):
        raise TemporalError(raw)  # a date with a real time of day is not a date
    return value


def parse_clock_text(raw: str) -> time:
    """Parse a time of day: ``14:30``, ``14:30:15.5``, ``2:30 PM``, ``下午2点30分``."""
    text = normalize_text(raw)
    shift: str | None = None
    for words, kind in ((_MORNING, "am"), (_AFTERNOON, "pm")):
        for word in words:
            if text.startswith(word):
                text, shift = text[len(word) :].strip(), kind
    suffix = re.search(r"\s*([AaPp])\.?\s*[Mm]\.?$", text)
    if suffix:
        text, shift = text[: suffix.start()], suffix.group(1).lower() + "m"
    chinese = bool(re.search(r"[点時时]", text))
    text = re.sub(r"\s*[点時时分]\s*", ":", text).replace("秒", "").rstrip(":").strip()
    match = _CLOCK.match(text)
    if not match or (match["m"] is None and not chinese and shift is None):
        raise TemporalError(raw)
    hour, minute = int(match["h"]), int(match["m"] or 0)
    if shift is not None:
        if not 1 <= hour <= 12:
            raise TemporalError(raw)
        hour = hour % 12 + (12 if shift == "pm" else 0)
    try:
        return time(hour, minute, int(match["s"] or 0), int((match["f"] or "0").ljust(6, "0")))
    except ValueError as exc:
        raise TemporalError(raw) from exc


def parse_datetime_text(raw: str, local: tzinfo) -> datetime:
    """Aware datetime from text; text without an offset is local time in ``local``."""
    text = normalize_text(raw)
    value, rest = split_date(text)
    offset: tzinfo | None = None
    match = _OFFSET.match(rest) if rest else None
    if match:
        rest, offset = match["clock"], _parse_offset(match["off"])
    clock = parse_clock_text(rest) if rest else time(0)
    naive = datetime.combine(value, clock)
    return naive.replace(tzinfo=offset) if offset else naive.replace(tzinfo=local)


def _parse_offset(text: str) -> tzinfo:
    if text.upper() in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise TemporalError(text)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def to_aware(value: datetime, local: tzinfo) -> datetime:
    """Aware UTC datetime; a naive ``value`` is read as local time in ``local``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=local)
    return value.astimezone(UTC)


def coerce_datetime(raw: Any, local: tzinfo) -> datetime:
    """Any accepted datetime input → aware UTC datetime. Raises TemporalError."""
    if isinstance(raw, datetime):
        return to_aware(raw, local)
    if isinstance(raw, date):
        return to_aware(datetime.combine(raw, time(0)), local)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return to_aware(excel_serial_to_datetime(raw), local)
    if isinstance(raw, str):
        return parse_datetime_text(raw, local).astimezone(UTC)
    raise TemporalError(repr(raw))


def coerce_date(raw: Any, local: tzinfo) -> date:
    """Any accepted date input → date. A datetime's date is taken in ``local`` time."""
    if isinstance(raw, datetime):
        return raw.astimezone(local).date() if raw.tzinfo else raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return excel_serial_to_datetime(raw).date()
    if isinstance(raw, str):
        return parse_date_text(raw)
    raise TemporalError(repr(raw))


def coerce_time(raw: Any) -> time:
    """Any accepted time input → naive time. Floats are Excel day fractions (0.5 = 12:00)."""
    if isinstance(raw, datetime):
        return raw.time().replace(tzinfo=None)
    if isinstance(raw, time):
        return raw.replace(tzinfo=None)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if not 0 <= raw < 1:
            raise TemporalError(repr(raw))
        seconds = round(raw * 86400)
        if seconds == 86400:
            raise TemporalError(repr(raw))
        return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
    if isinstance(raw, str):
        return parse_clock_text(raw)
    raise TemporalError(repr(raw))
