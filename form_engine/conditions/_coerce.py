"""Turn JSON-native values and stored values into Python values of one kind.

Both the evaluator and the SQL compiler coerce through here, so a condition literal such as
``"2026-03-01"`` or ``"12.50"`` means the same thing in memory and in a query.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from form_engine.kinds import Kind


class CoerceError(ValueError):
    """The value cannot be a value of the kind; the message says what is expected."""


EXPECTED: dict[Kind, str] = {
    Kind.TEXT: "text",
    Kind.NUMBER: "a number",
    Kind.DECIMAL: 'a number or a numeric string such as "12.50"',
    Kind.DATE: 'a date such as "2026-03-01"',
    Kind.DATETIME: 'a date and time such as "2026-03-01T14:30:00+08:00"',
    Kind.TIME: 'a time such as "14:30"',
    Kind.DURATION: "a whole number of seconds",
    Kind.BOOL: "true or false",
    Kind.CHOICE: "an option key (text)",
    Kind.CHOICES: "an option key (text)",
    Kind.REF: "a record id (whole number)",
    Kind.JSON: "a JSON value",
    Kind.ROWS: "a list of rows",
}


def coerce(value: Any, kind: Kind, tz: tzinfo = UTC) -> Any:
    """``value`` as a Python value of ``kind`` (None stays None).

    For CHOICES this coerces one option key; use :func:`coerce_options` for whole values.
    ``tz`` places date-only values on a datetime axis (start of that day in the app's zone).
    """
    if value is None:
        return None
    try:
        return _COERCERS[kind](value, tz)
    except (ValueError, TypeError, InvalidOperation, ArithmeticError) as exc:
        if isinstance(exc, CoerceError):
            raise
        raise CoerceError(f"expected {EXPECTED[kind]}, got {value!r}") from None


def coerce_options(value: Any) -> frozenset[str]:
    """A multi-select value as a set of option keys; empty (None, []) is the empty set."""
    if value is None:
        return frozenset()
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(_option(v) for v in value if v is not None)
    raise CoerceError(f"expected a list of option keys, got {value!r}")


def _fail(value: Any, kind: Kind) -> CoerceError:
    return CoerceError(f"expected {EXPECTED[kind]}, got {value!r}")


def _text(value: Any, _tz: tzinfo) -> str:
    if not isinstance(value, str):
        raise _fail(value, Kind.TEXT)
    return value


def _option(value: Any, _tz: tzinfo | None = None) -> str:
    if not isinstance(value, str):
        raise _fail(value, Kind.CHOICE)
    return value


def _number(value: Any, _tz: tzinfo) -> Decimal:
    # Every numeric kind compares as Decimal: 0.1 (float) equals Decimal("0.1"), as in SQL.
    if isinstance(value, bool):
        raise _fail(value, Kind.NUMBER)
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _fail(value, Kind.NUMBER)
        result = Decimal(repr(value))
    elif isinstance(value, str):
        result = Decimal(value.strip())
    else:
        raise _fail(value, Kind.NUMBER)
    if not result.is_finite():
        raise _fail(value, Kind.NUMBER)
    return result


def _whole(kind: Kind) -> Callable[[Any, tzinfo], int]:
    def coerce_whole(value: Any, _tz: tzinfo) -> int:
        if isinstance(value, bool):
            raise _fail(value, kind)
        if isinstance(value, int):
            return value
        if isinstance(value, float | Decimal) and value == int(value):
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise _fail(value, kind)

    return coerce_whole


def _date(value: Any, tz: tzinfo) -> date:
    if isinstance(value, datetime):
        return value.astimezone(tz).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value.strip())
    raise _fail(value, Kind.DATE)


def _datetime(value: Any, tz: tzinfo) -> datetime:
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 10:  # a bare date: the start of that day in the app's timezone
            value = date.fromisoformat(text)
        else:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        # Naive datetimes are stored as UTC by Kairos.
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tz).astimezone(UTC)
    raise _fail(value, Kind.DATETIME)


def _time(value: Any, _tz: tzinfo) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        return time.fromisoformat(value.strip())
    raise _fail(value, Kind.TIME)


def _bool(value: Any, _tz: tzinfo) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):  # SQLite stores booleans as 0/1
        return bool(value)
    raise _fail(value, Kind.BOOL)


def _any(value: Any, _tz: tzinfo) -> Any:
    return value


_COERCERS = {
    Kind.TEXT: _text,
    Kind.NUMBER: _number,
    Kind.DECIMAL: _number,
    Kind.DURATION: _whole(Kind.DURATION),
    Kind.DATE: _date,
    Kind.DATETIME: _datetime,
    Kind.TIME: _time,
    Kind.BOOL: _bool,
    Kind.CHOICE: _option,
    Kind.CHOICES: _option,
    Kind.REF: _whole(Kind.REF),
    Kind.JSON: _any,
    Kind.ROWS: _any,
}


def is_empty_value(value: Any) -> bool:
    """The "no value" test shared by is_empty, changed and the null rules."""
    return value is None or value == "" or value == [] or value == {}
